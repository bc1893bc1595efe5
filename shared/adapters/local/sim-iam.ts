import { createHash } from 'node:crypto';
import type {
  AttachGroupPolicyRequest,
  AttachUserPolicyRequest,
  CreatePolicyRequest,
  CreatePolicyResponse,
  CreatePolicyVersionRequest,
  CreatePolicyVersionResponse,
  DeletePolicyVersionRequest,
  GetPolicyRequest,
  GetPolicyResponse,
  GetPolicyVersionRequest,
  GetPolicyVersionResponse,
  ListPolicyVersionsRequest,
  ListPolicyVersionsResponse,
  Policy,
} from '@aws-sdk/client-iam';
import type { GetCallerIdentityResponse } from '@aws-sdk/client-sts';
import { SimulatedAwsError, type SimulatedOrganization } from './sim-org';

/**
 * The management account's IAM, as far as Switchyard's grants use it: customer managed policies
 * with their versions, and attaching them to a group or user. Its methods are the IAM API operations
 * with the SDK's shapes, so sim-iam-transport.ts can put the real IAMClient in front of it and
 * IamAccessGrants — the adapter that runs on Lambda — runs unchanged against it.
 *
 * Each operation is one synchronous step, as each is one request at IAM: callers that await
 * several of them interleave between steps, so two grants racing locally meet what they meet at
 * IAM (EntityAlreadyExists, a version limit another writer reached, a version already deleted).
 * IAM's rules are enforced, never smoothed over: documents of at most 6,144 characters, at most five
 * versions (one more is LimitExceeded, nothing is dropped), at most ten policies per group or user.
 *
 * The state lives in the simulated organization's state (and file): see SimulatedOrganization.iamState.
 */

/** A customer managed policy, as IAM keeps it. */
export interface ManagedPolicyRecord {
  arn: string;
  versions: { id: string; document: string; createdAt: string }[];
  defaultVersionId: string;
  nextVersion: number;
  /** Absent in files written before CreatePolicy was simulated (those policies were all under /switchyard/). */
  path?: string;
  description?: string;
}

/** What the management account's IAM holds, and each member account's alias. */
export interface IamState {
  /** By policy name: IAM allows one policy of a name per account, whatever its path. */
  policies: Record<string, ManagedPolicyRecord>;
  /** `group/Admins` or `user/ana` → attached policy ARNs. */
  attachments: Record<string, string[]>;
  aliases: Record<string, string>;
  /** The management account's IAM groups; absent (files written before) means the default ones. */
  groups?: string[];
  users?: string[];
}

/** The simulated management account starts with the group the walk-through's admin belongs to. */
export const DEFAULT_IAM_GROUPS: readonly string[] = ['Admins'];

/** The IAM operations the transport may dispatch to; each is a method of SimulatedIam. */
export const SIMULATED_IAM_OPERATIONS = [
  'GetPolicy',
  'CreatePolicy',
  'GetPolicyVersion',
  'ListPolicyVersions',
  'CreatePolicyVersion',
  'DeletePolicyVersion',
  'AttachGroupPolicy',
  'AttachUserPolicy',
] as const;
export type SimulatedIamOperation = (typeof SIMULATED_IAM_OPERATIONS)[number];

export const SIMULATED_STS_OPERATIONS = ['GetCallerIdentity'] as const;
export type SimulatedStsOperation = (typeof SIMULATED_STS_OPERATIONS)[number];

/** IAM's limits (aws-facts.md). */
const MAX_DOCUMENT_CHARS = 6144;
const MAX_VERSIONS = 5;
const MAX_ATTACHED = 10;
const NAME_PATTERN = /^[\w+=,.@-]{1,128}$/;
const PATH_PATTERN = /^\/(?:[\x21-\x2E\x30-\x7E]+\/)*$/;
const POLICY_ARN = /^arn:aws:iam::(\d{12}):policy(\/(?:[\x21-\x2E\x30-\x7E]+\/)*)([\w+=,.@-]{1,128})$/;

export class SimulatedIam {
  constructor(private readonly org: SimulatedOrganization) {}

  GetPolicy(input: GetPolicyRequest): GetPolicyResponse {
    const arn = policyArn(input.PolicyArn);
    return this.org.iamState('read', (iam) => {
      const [name, policy] = existingPolicy(iam, arn);
      return { Policy: policyShape(iam, name, policy) };
    });
  }

  CreatePolicy(input: CreatePolicyRequest): CreatePolicyResponse {
    const name = required(input.PolicyName, 'policyName');
    if (!NAME_PATTERN.test(name)) throw validation('policyName', 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
    const path = input.Path ?? '/';
    if (!PATH_PATTERN.test(path) || path.length > 512) throw validation('path', 'Member must satisfy regular expression pattern: ((/[A-Za-z0-9\\.,\\+@=_-]+)*)/');
    const document = checkedDocument(input.PolicyDocument);
    return this.org.iamState('change', (iam, account) => {
      // IAM tells names apart without regard to case.
      if (Object.keys(iam.policies).some((n) => n.toLowerCase() === name.toLowerCase())) throw new SimulatedAwsError('EntityAlreadyExists', `A policy called ${name} already exists. Duplicate names are not allowed.`);
      const createdAt = account.now.toISOString();
      const policy: ManagedPolicyRecord = {
        arn: `arn:aws:iam::${account.managementAccountId}:policy${path}${name}`,
        versions: [{ id: 'v1', document, createdAt }],
        defaultVersionId: 'v1',
        nextVersion: 2,
        path,
        ...(input.Description !== undefined ? { description: input.Description } : {}),
      };
      iam.policies[name] = policy;
      return { Policy: policyShape(iam, name, policy) };
    });
  }

  GetPolicyVersion(input: GetPolicyVersionRequest): GetPolicyVersionResponse {
    const arn = policyArn(input.PolicyArn);
    const versionId = versionIdOf(input.VersionId);
    return this.org.iamState('read', (iam) => {
      const [, policy] = existingPolicy(iam, arn);
      const version = existingVersion(policy, versionId);
      return {
        PolicyVersion: {
          // IAM returns the document URL-encoded (RFC 3986).
          Document: encodeURIComponent(version.document),
          VersionId: version.id,
          IsDefaultVersion: version.id === policy.defaultVersionId,
          CreateDate: new Date(version.createdAt),
        },
      };
    });
  }

  ListPolicyVersions(input: ListPolicyVersionsRequest): ListPolicyVersionsResponse {
    const arn = policyArn(input.PolicyArn);
    return this.org.iamState('read', (iam) => {
      const [, policy] = existingPolicy(iam, arn);
      // Newest first, as IAM lists them; five at most, so one page always holds them all.
      const versions = [...policy.versions].reverse().map((v) => ({ VersionId: v.id, IsDefaultVersion: v.id === policy.defaultVersionId, CreateDate: new Date(v.createdAt) }));
      return { Versions: versions, IsTruncated: false };
    });
  }

  CreatePolicyVersion(input: CreatePolicyVersionRequest): CreatePolicyVersionResponse {
    const arn = policyArn(input.PolicyArn);
    const document = checkedDocument(input.PolicyDocument);
    const setAsDefault = input.SetAsDefault === true;
    return this.org.iamState('change', (iam, account) => {
      const [, policy] = existingPolicy(iam, arn);
      if (policy.versions.length >= MAX_VERSIONS) {
        throw new SimulatedAwsError('LimitExceeded', `A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version.`);
      }
      const id = `v${policy.nextVersion++}`;
      const createdAt = account.now.toISOString();
      policy.versions.push({ id, document, createdAt });
      if (setAsDefault) policy.defaultVersionId = id;
      return { PolicyVersion: { VersionId: id, IsDefaultVersion: setAsDefault, CreateDate: new Date(createdAt) } };
    });
  }

  DeletePolicyVersion(input: DeletePolicyVersionRequest): Record<string, never> {
    const arn = policyArn(input.PolicyArn);
    const versionId = versionIdOf(input.VersionId);
    return this.org.iamState('change', (iam) => {
      const [, policy] = existingPolicy(iam, arn);
      const version = existingVersion(policy, versionId);
      if (version.id === policy.defaultVersionId) throw new SimulatedAwsError('DeleteConflict', 'Cannot delete the default version of a policy.');
      policy.versions = policy.versions.filter((v) => v !== version);
      return {};
    });
  }

  AttachGroupPolicy(input: AttachGroupPolicyRequest): Record<string, never> {
    return this.attach('group', required(input.GroupName, 'groupName'), policyArn(input.PolicyArn));
  }

  AttachUserPolicy(input: AttachUserPolicyRequest): Record<string, never> {
    return this.attach('user', required(input.UserName, 'userName'), policyArn(input.PolicyArn));
  }

  // ---- What an administrator does in the console (not AWS operations of Switchyard's) -----------

  /** CreateGroup, as someone setting up the management account would. */
  createGroup(name: string): void {
    this.createPrincipal('group', name);
  }

  createUser(name: string): void {
    this.createPrincipal('user', name);
  }

  private createPrincipal(type: 'group' | 'user', name: string): void {
    if (!/^[\w+=,.@-]{1,128}$/.test(name)) throw validation(`${type}Name`, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
    this.org.iamState('change', (iam) => {
      const existing = type === 'group' ? groupsOf(iam) : (iam.users ?? []);
      // IAM names are case-insensitive for uniqueness.
      if (existing.some((n) => n.toLowerCase() === name.toLowerCase())) {
        throw new SimulatedAwsError('EntityAlreadyExists', `${type === 'group' ? 'Group' : 'User'} with name ${name} already exists.`);
      }
      if (type === 'group') iam.groups = [...existing, name];
      else iam.users = [...existing, name];
    });
  }

  private attach(type: 'group' | 'user', name: string, arn: string): Record<string, never> {
    return this.org.iamState('change', (iam) => {
      const principals = type === 'group' ? groupsOf(iam) : (iam.users ?? []);
      if (!principals.includes(name)) throw new SimulatedAwsError('NoSuchEntity', `The ${type} with name ${name} cannot be found.`);
      existingPolicy(iam, arn);
      const key = `${type}/${name}`;
      const attached = iam.attachments[key] ?? [];
      if (attached.includes(arn)) return {};
      if (attached.length >= MAX_ATTACHED) {
        throw new SimulatedAwsError('LimitExceeded', `Cannot exceed quota for PoliciesPer${type === 'group' ? 'Group' : 'User'}: ${MAX_ATTACHED}`);
      }
      iam.attachments[key] = [...attached, arn];
      return {};
    });
  }
}

/** STS as IamAccessGrants uses it: who is calling, i.e. the management account. */
export class SimulatedSts {
  constructor(private readonly org: SimulatedOrganization) {}

  GetCallerIdentity(_input: Record<string, never> = {}): GetCallerIdentityResponse {
    return this.org.iamState('read', (_iam, account) => ({
      UserId: 'AIDASIMULATEDSWITCHYARD',
      Account: account.managementAccountId,
      Arn: `arn:aws:iam::${account.managementAccountId}:user/switchyard-local`,
    }));
  }
}

export function isSimulatedIamOperation(name: string): name is SimulatedIamOperation {
  return (SIMULATED_IAM_OPERATIONS as readonly string[]).includes(name);
}

export function isSimulatedStsOperation(name: string): name is SimulatedStsOperation {
  return (SIMULATED_STS_OPERATIONS as readonly string[]).includes(name);
}

function groupsOf(iam: IamState): readonly string[] {
  return iam.groups ?? DEFAULT_IAM_GROUPS;
}

function validation(member: string, constraint: string): SimulatedAwsError {
  return new SimulatedAwsError('ValidationError', `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`);
}

function required(value: unknown, member: string): string {
  if (typeof value !== 'string' || value === '') throw validation(member, 'Member must not be null');
  return value;
}

function policyArn(value: unknown): string {
  const arn = required(value, 'policyArn');
  if (!POLICY_ARN.test(arn)) throw new SimulatedAwsError('InvalidInput', `ARN ${arn} is not valid.`);
  return arn;
}

function versionIdOf(value: unknown): string {
  const id = required(value, 'versionId');
  if (!/^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/.test(id)) throw validation('versionId', 'Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?');
  return id;
}

function checkedDocument(value: unknown): string {
  const document = required(value, 'policyDocument');
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw new SimulatedAwsError('MalformedPolicyDocument', 'Syntax errors in policy.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SimulatedAwsError('MalformedPolicyDocument', 'Syntax errors in policy.');
  if (document.replace(/\s/g, '').length > MAX_DOCUMENT_CHARS) throw new SimulatedAwsError('LimitExceeded', `Cannot exceed quota for PolicySize: ${MAX_DOCUMENT_CHARS}`);
  return document;
}

function existingPolicy(iam: IamState, arn: string): [string, ManagedPolicyRecord] {
  const found = Object.entries(iam.policies).find(([, p]) => p.arn === arn);
  if (!found) throw new SimulatedAwsError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
  return found;
}

function existingVersion(policy: ManagedPolicyRecord, versionId: string): ManagedPolicyRecord['versions'][number] {
  const version = policy.versions.find((v) => v.id === versionId);
  if (!version) throw new SimulatedAwsError('NoSuchEntity', `Policy ${policy.arn} version ${versionId} does not exist or is not attachable.`);
  return version;
}

function policyShape(iam: IamState, name: string, policy: ManagedPolicyRecord): Policy {
  const created = policy.versions.reduce((min, v) => (v.createdAt < min ? v.createdAt : min), policy.versions[0]!.createdAt);
  const updated = policy.versions.reduce((max, v) => (v.createdAt > max ? v.createdAt : max), created);
  return {
    PolicyName: name,
    // IAM's ids are opaque; a hash of the ARN keeps this one stable across restarts.
    PolicyId: `ANPA${createHash('sha256').update(policy.arn).digest('hex').slice(0, 17).toUpperCase()}`,
    Arn: policy.arn,
    Path: policy.path ?? POLICY_ARN.exec(policy.arn)?.[2] ?? '/',
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: Object.values(iam.attachments).filter((arns) => arns.includes(policy.arn)).length,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    ...(policy.description !== undefined ? { Description: policy.description } : {}),
    CreateDate: new Date(created),
    UpdateDate: new Date(updated),
  };
}
