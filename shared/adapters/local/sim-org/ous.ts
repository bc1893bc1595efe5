import type {
  Child,
  CreateOrganizationalUnitRequest,
  CreateOrganizationalUnitResponse,
  DescribeOrganizationalUnitRequest,
  DescribeOrganizationalUnitResponse,
  ListChildrenRequest,
  ListChildrenResponse,
  ListOrganizationalUnitsForParentRequest,
  ListOrganizationalUnitsForParentResponse,
  ListParentsRequest,
  ListParentsResponse,
  ListRootsRequest,
  ListRootsResponse,
  OrganizationalUnit,
} from '@aws-sdk/client-organizations';
import { MAX_OU_DEPTH } from '../../../domain/ou-path';
import { checkLength, invalid, requiredString, SimulatedAwsError } from './errors';
import { alnum, arn, uniqueId } from './ids';
import { page } from './pagination';
import type { OrgState, OuRecord } from './state';
import { newResourceTags } from './tags';

/**
 * The root and the OU tree: AWS's operations on them, OU paths (`Workloads/Staging`, '' for the
 * root) and what a person does to OUs by hand in the console (rename, delete).
 */

export const MAX_OUS = 1000;

// ---- Lookups ----------------------------------------------------------------------------------

export function isParent(s: OrgState, id: string): boolean {
  return id === s.rootId || s.ous.some((o) => o.id === id);
}

export function existingParent(s: OrgState, id: string): string {
  if (!isParent(s, id)) throw new SimulatedAwsError('ParentNotFoundException', `We can't find a root or OU with the ID ${id}.`);
  return id;
}

/** The OU path of a root or OU id: '' for the root, `Workloads/Staging` for an OU. */
export function pathOf(s: OrgState, parentId: string): string {
  const names: string[] = [];
  let id = parentId;
  while (id !== s.rootId) {
    const ou = s.ous.find((o) => o.id === id);
    if (!ou) throw new SimulatedAwsError('ParentNotFoundException', `We can't find a root or OU with the ID ${parentId}.`);
    names.unshift(ou.name);
    id = ou.parentId;
  }
  return names.join('/');
}

export function displayPath(path: string): string {
  return path === '' ? 'the root' : path;
}

/** `Workloads/Staging`, `/Workloads/Staging/` → segments; '' → [] (the root); undefined for an empty segment. */
export function splitPath(path: string): string[] | undefined {
  const trimmed = path.trim().replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return [];
  const segments = trimmed.split('/').map((segment) => segment.trim());
  return segments.some((segment) => segment === '') ? undefined : segments;
}

/** The id of the OU at these path segments (the root's id for none), or undefined when there is none. */
export function findOu(s: OrgState, segments: string[]): string | undefined {
  let parentId: string | undefined = s.rootId;
  for (const name of segments) {
    parentId = s.ous.find((o) => o.parentId === parentId && o.name === name)?.id;
    if (!parentId) return undefined;
  }
  return parentId;
}

/** The id of the existing root or OU at `path`; a path with no OU is an error that names it. */
export function existingOuPath(s: OrgState, path: string): string {
  const segments = splitPath(path);
  let parentId: string | undefined = s.rootId;
  for (const name of segments ?? []) {
    parentId = s.ous.find((o) => o.parentId === parentId && o.name === name)?.id;
    if (!parentId) break;
  }
  if (!segments || !parentId) throw new SimulatedAwsError('ParentNotFoundException', `There is no OU at the path ${JSON.stringify(path)}.`);
  return parentId;
}

/** Whether an OU exists at the path ('' or '/' is the root). */
export function hasOuPath(s: OrgState, path: string): boolean {
  try {
    existingOuPath(s, path);
    return true;
  } catch {
    return false;
  }
}

function depthOf(s: OrgState, parentId: string): number {
  let depth = 0;
  for (let id = parentId; id !== s.rootId; depth++) {
    const ou = s.ous.find((o) => o.id === id);
    if (!ou) break;
    id = ou.parentId;
  }
  return depth;
}

export function checkOuName(name: string): void {
  checkLength(name, 'Name', 1, 128);
}

function depthLimit(): SimulatedAwsError {
  return new SimulatedAwsError('ConstraintViolationException', `OUs may be nested at most ${MAX_OU_DEPTH} levels below the root.`, { Reason: 'OU_DEPTH_LIMIT_EXCEEDED' });
}

// ---- Changes ----------------------------------------------------------------------------------

/** A new OU under `parentId`, within AWS's limits on names, depth and the number of OUs. */
export function addOu(s: OrgState, parentId: string, name: string, tags: Record<string, string>): OuRecord {
  checkOuName(name);
  if (depthOf(s, parentId) + 1 > MAX_OU_DEPTH) throw depthLimit();
  if (s.ous.length >= MAX_OUS) {
    throw new SimulatedAwsError('ConstraintViolationException', `An organization may hold at most ${MAX_OUS} OUs.`, { Reason: 'OU_NUMBER_LIMIT_EXCEEDED' });
  }
  const ou: OuRecord = {
    seq: s.nextSeq++,
    id: uniqueId(() => `ou-${s.rootId.slice(2)}-${alnum(8)}`, (id) => s.ous.some((o) => o.id === id)),
    name,
    parentId,
    tags,
  };
  s.ous.push(ou);
  return ou;
}

/** The segments of a path to make with ensureOuPath, checked beforehand: such a path is refused whole rather than half created. */
export function newOuPathSegments(path: string): string[] {
  const segments = splitPath(path);
  if (!segments) throw invalid('INVALID_PATTERN', `The OU path ${JSON.stringify(path)} has an empty segment.`);
  for (const name of segments) checkOuName(name);
  if (segments.length > MAX_OU_DEPTH) throw depthLimit();
  return segments;
}

/** Creates whichever OUs along the path are missing and returns the id of the last one. */
export function ensureOuPath(s: OrgState, segments: string[]): string {
  let parentId = s.rootId;
  for (const name of segments) {
    parentId = s.ous.find((o) => o.parentId === parentId && o.name === name)?.id ?? addOu(s, parentId, name, {}).id;
  }
  return parentId;
}

/** Renames the OU at `ouPath` (UpdateOrganizationalUnit in the console); the name is checked with checkOuName first. */
export function renameOu(s: OrgState, ouPath: string, newName: string): { id: string; from: string; path: string } {
  const id = existingOuPath(s, ouPath);
  const ou = s.ous.find((o) => o.id === id);
  if (!ou) throw new SimulatedAwsError('InvalidInputException', 'The root cannot be renamed.');
  if (s.ous.some((o) => o.parentId === ou.parentId && o.name === newName && o.id !== id)) {
    throw new SimulatedAwsError('DuplicateOrganizationalUnitException', `An OU named ${newName} already exists under the same parent.`);
  }
  const from = pathOf(s, id);
  ou.name = newName;
  return { id, from, path: pathOf(s, id) };
}

/** Deletes the OU at `ouPath`, which (as in AWS) must hold no accounts and no OUs. */
export function deleteOu(s: OrgState, ouPath: string): { id: string; path: string } {
  const id = existingOuPath(s, ouPath);
  if (id === s.rootId) throw new SimulatedAwsError('InvalidInputException', 'The root cannot be deleted.');
  if (s.accounts.some((a) => a.parentId === id) || s.ous.some((o) => o.parentId === id)) {
    throw new SimulatedAwsError('OrganizationalUnitNotEmptyException', `The OU ${displayPath(pathOf(s, id))} still holds accounts or OUs; move them out first.`);
  }
  const path = pathOf(s, id);
  s.ous = s.ous.filter((o) => o.id !== id);
  return { id, path };
}

// ---- AWS operations ---------------------------------------------------------------------------

function organizationalUnit(s: OrgState, o: OuRecord): OrganizationalUnit {
  return { Id: o.id, Arn: arn(s, `ou/${s.organizationId}/${o.id}`), Name: o.name };
}

export function listRoots(s: OrgState, input: ListRootsRequest): ListRootsResponse {
  const result = page(s, 'ListRoots', '', [s.rootId], () => 0, input);
  return { Roots: result.items.map((id) => ({ Id: id, Arn: arn(s, `root/${s.organizationId}/${id}`), Name: 'Root', PolicyTypes: [] })), NextToken: result.nextToken };
}

export function listOrganizationalUnitsForParent(s: OrgState, input: ListOrganizationalUnitsForParentRequest): ListOrganizationalUnitsForParentResponse {
  const parentId = existingParent(s, requiredString(input.ParentId, 'ParentId'));
  const children = s.ous.filter((o) => o.parentId === parentId);
  const result = page(s, 'ListOrganizationalUnitsForParent', parentId, children, (o) => o.seq, input);
  return { OrganizationalUnits: result.items.map((o) => organizationalUnit(s, o)), NextToken: result.nextToken };
}

export function createOrganizationalUnit(s: OrgState, input: CreateOrganizationalUnitRequest): CreateOrganizationalUnitResponse {
  const parentId = existingParent(s, requiredString(input.ParentId, 'ParentId'));
  const name = requiredString(input.Name, 'Name');
  const tags = newResourceTags(input.Tags);
  if (s.ous.some((o) => o.parentId === parentId && o.name === name)) {
    throw new SimulatedAwsError('DuplicateOrganizationalUnitException', `An OU named ${name} already exists in the parent ${parentId}.`);
  }
  return { OrganizationalUnit: organizationalUnit(s, addOu(s, parentId, name, tags)) };
}

export function describeOrganizationalUnit(s: OrgState, input: DescribeOrganizationalUnitRequest): DescribeOrganizationalUnitResponse {
  const id = requiredString(input.OrganizationalUnitId, 'OrganizationalUnitId');
  const ou = s.ous.find((o) => o.id === id);
  if (!ou) throw new SimulatedAwsError('OrganizationalUnitNotFoundException', `We can't find an OU with the ID ${id}.`);
  return { OrganizationalUnit: organizationalUnit(s, ou) };
}

export function listParents(s: OrgState, input: ListParentsRequest): ListParentsResponse {
  const childId = requiredString(input.ChildId, 'ChildId');
  const parentId = s.accounts.find((a) => a.id === childId)?.parentId ?? s.ous.find((o) => o.id === childId)?.parentId;
  if (parentId === undefined) throw new SimulatedAwsError('ChildNotFoundException', `We can't find an account or OU with the ID ${childId}.`);
  const result = page(s, 'ListParents', childId, [parentId], () => 0, input);
  return {
    Parents: result.items.map((id) => ({ Id: id, Type: id === s.rootId ? ('ROOT' as const) : ('ORGANIZATIONAL_UNIT' as const) })),
    NextToken: result.nextToken,
  };
}

export function listChildren(s: OrgState, input: ListChildrenRequest): ListChildrenResponse {
  const parentId = existingParent(s, requiredString(input.ParentId, 'ParentId'));
  const childType = requiredString(input.ChildType, 'ChildType');
  if (childType !== 'ACCOUNT' && childType !== 'ORGANIZATIONAL_UNIT') throw invalid('INVALID_ENUM', 'ChildType must be ACCOUNT or ORGANIZATIONAL_UNIT.');
  const children: { seq: number; id: string }[] = childType === 'ACCOUNT' ? s.accounts.filter((a) => a.parentId === parentId) : s.ous.filter((o) => o.parentId === parentId);
  const result = page(s, 'ListChildren', `${parentId}:${childType}`, children, (c) => c.seq, input);
  return { Children: result.items.map((c): Child => ({ Id: c.id, Type: childType })), NextToken: result.nextToken };
}
