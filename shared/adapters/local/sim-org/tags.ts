import type { ListTagsForResourceRequest, ListTagsForResourceResponse, Tag, TagResourceRequest, UntagResourceRequest } from '@aws-sdk/client-organizations';
import { checkLength, invalid, requiredArray, requiredString, SimulatedAwsError } from './errors';
import { page } from './pagination';
import type { AccountRecord, OrgState } from './state';

/** Tags on the root, OUs and accounts: AWS's rules for keys and values, and the 50-tag limit. */

const MAX_TAGS = 50;

/** One bad tag fails the whole request, as at AWS. */
export function tagMap(tags: Tag[] | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const tag of requiredArray(tags ?? [], 'Tags')) {
    if (!tag || typeof tag !== 'object') throw invalid('INVALID_INPUT', 'Each tag must be an object with a Key and a Value.');
    const key = requiredString(tag.Key, 'Tags[].Key');
    const value = requiredString(tag.Value, 'Tags[].Value');
    checkLength(key, 'Tags[].Key', 1, 128);
    checkLength(value, 'Tags[].Value', 0, 256);
    if (key.toLowerCase().startsWith('aws:')) throw invalid('INVALID_SYSTEM_TAGS_PARAMETER', 'Tag keys beginning with aws: are reserved for AWS.');
    if (Object.hasOwn(map, key)) throw invalid('DUPLICATE_TAG_KEY', `The tag key ${key} appears more than once.`);
    map[key] = value;
  }
  return map;
}

/** The tags a new account or OU is created with: checked as tagMap does, and at most MAX_TAGS of them. */
export function newResourceTags(tags: Tag[] | undefined): Record<string, string> {
  const map = tagMap(tags);
  if (Object.keys(map).length > MAX_TAGS) throw tagLimit();
  return map;
}

function tagLimit(): SimulatedAwsError {
  return new SimulatedAwsError('ConstraintViolationException', `A resource may carry at most ${MAX_TAGS} tags.`, { Reason: 'MAX_TAG_LIMIT_EXCEEDED' });
}

/** The live tag map of a root, OU or account; changing it changes the resource's tags. */
function tagsOf(s: OrgState, resourceId: string): Record<string, string> {
  if (resourceId === s.rootId) return s.rootTags;
  const target = s.accounts.find((a) => a.id === resourceId) ?? s.ous.find((o) => o.id === resourceId);
  if (!target) throw new SimulatedAwsError('TargetNotFoundException', `We can't find a root, OU or account with the ID ${resourceId}.`);
  return target.tags;
}

// ---- AWS operations ---------------------------------------------------------------------------

export function tagResource(s: OrgState, input: TagResourceRequest): Record<string, never> {
  const tags = tagsOf(s, requiredString(input.ResourceId, 'ResourceId'));
  const added = tagMap(requiredArray(input.Tags, 'Tags'));
  if (Object.keys({ ...tags, ...added }).length > MAX_TAGS) throw tagLimit();
  Object.assign(tags, added);
  return {};
}

export function untagResource(s: OrgState, input: UntagResourceRequest): Record<string, never> {
  const tags = tagsOf(s, requiredString(input.ResourceId, 'ResourceId'));
  const keys = requiredArray(input.TagKeys, 'TagKeys').map((key) => requiredString(key, 'TagKeys[]'));
  for (const key of keys) delete tags[key];
  return {};
}

export function listTagsForResource(s: OrgState, input: ListTagsForResourceRequest): ListTagsForResourceResponse {
  const resourceId = requiredString(input.ResourceId, 'ResourceId');
  const tags = Object.entries(tagsOf(s, resourceId))
    .map(([Key, Value]): Tag => ({ Key, Value }))
    .sort((a, b) => (a.Key! < b.Key! ? -1 : a.Key! > b.Key! ? 1 : 0));
  const result = page(s, 'ListTagsForResource', resourceId, tags, (t) => t.Key!, { NextToken: input.NextToken });
  return { Tags: result.items, NextToken: result.nextToken };
}

// ---- By hand ----------------------------------------------------------------------------------

export interface TagChanges {
  added: Record<string, string>;
  removed: string[];
}

/**
 * Tags to set on an account, an empty value removing that tag; checked as TagResource checks them,
 * before anything changes.
 */
export function tagChanges(changes: Record<string, string>): TagChanges {
  const set = Object.entries(changes).filter(([, value]) => value !== '');
  const removed = Object.keys(changes).filter((key) => changes[key] === '');
  const added = tagMap(set.map(([Key, Value]) => ({ Key, Value })));
  for (const key of removed) checkLength(key, 'Tags[].Key', 1, 128);
  return { added, removed };
}

/** Applies the changes to an account's tags and returns all its tags after. */
export function tagAccount(account: AccountRecord, { added, removed }: TagChanges): Record<string, string> {
  const tags = account.tags;
  const after = { ...tags, ...added };
  for (const key of removed) delete after[key];
  if (Object.keys(after).length > MAX_TAGS) throw tagLimit();
  for (const key of Object.keys(tags)) delete tags[key];
  Object.assign(tags, after);
  return { ...tags };
}
