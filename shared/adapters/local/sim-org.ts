import { replaceFileDurably } from './durable-file';
import { NO_FAULTS, SimulatedCrashError, type FaultKind, type SimulatedFaults } from './sim-faults';
import { spawnSync } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type {
  Account,
  Child,
  CreateAccountFailureReason,
  CreateAccountRequest,
  CreateAccountResponse,
  CreateAccountState,
  CreateAccountStatus,
  CreateOrganizationalUnitRequest,
  CreateOrganizationalUnitResponse,
  DescribeAccountRequest,
  DescribeAccountResponse,
  DescribeCreateAccountStatusRequest,
  DescribeCreateAccountStatusResponse,
  DescribeOrganizationalUnitRequest,
  DescribeOrganizationalUnitResponse,
  DescribeOrganizationCommandInput,
  DescribeOrganizationResponse,
  ListAccountsForParentRequest,
  ListAccountsForParentResponse,
  ListAccountsRequest,
  ListAccountsResponse,
  ListChildrenRequest,
  ListChildrenResponse,
  ListCreateAccountStatusRequest,
  ListCreateAccountStatusResponse,
  ListOrganizationalUnitsForParentRequest,
  ListOrganizationalUnitsForParentResponse,
  ListParentsRequest,
  ListParentsResponse,
  ListRootsRequest,
  ListRootsResponse,
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  MoveAccountRequest,
  OrganizationalUnit,
  Tag,
  TagResourceRequest,
  UntagResourceRequest,
} from '@aws-sdk/client-organizations';
import { emailProblem } from '../../domain/email';
import { MAX_OU_DEPTH } from '../../domain/ou-path';
import { systemClock, type Clock } from '../../ports/clock';
import type { IamState } from './sim-iam';

/**
 * An AWS Organizations organization that lives in this process (and, with a data directory, in one
 * JSON file shared with other processes). Its methods are the AWS API operations, with the SDK's
 * PascalCase request and response shapes, so the transport in sim-org-transport.ts can put the real
 * SDK client in front of it and the production adapter runs unchanged against it.
 *
 * Every method is synchronous on purpose: a call runs to completion before the next one starts, so
 * in-process callers never interleave inside an operation and the file lock is held only briefly.
 */

export const ORGANIZATION_FILE = 'organization.json';

export function organizationFilePath(dataDir: string): string {
  return join(dataDir, ORGANIZATION_FILE);
}

/** The operations the transport may dispatch to; each is a method of SimulatedOrganization. */
export const SIMULATED_OPERATIONS = [
  'CreateAccount',
  'DescribeCreateAccountStatus',
  'ListCreateAccountStatus',
  'ListAccounts',
  'ListAccountsForParent',
  'DescribeAccount',
  'ListRoots',
  'ListOrganizationalUnitsForParent',
  'CreateOrganizationalUnit',
  'DescribeOrganizationalUnit',
  'ListParents',
  'ListChildren',
  'MoveAccount',
  'TagResource',
  'UntagResource',
  'ListTagsForResource',
  'DescribeOrganization',
] as const;
export type SimulatedOperation = (typeof SIMULATED_OPERATIONS)[number];

export function isSimulatedOperation(name: string): name is SimulatedOperation {
  return (SIMULATED_OPERATIONS as readonly string[]).includes(name);
}

/**
 * List* and Describe* change nothing but the call counts, so they need not rewrite the file: a
 * drift walk over 10,000 accounts makes hundreds of them and the file is megabytes.
 */
function isReadOnly(name: SimulatedOperation): boolean {
  return name.startsWith('List') || name.startsWith('Describe');
}

export type SimAccountStatus = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';

export interface SimulatedOrganizationOptions {
  /** Keep the organization in `${dataDir}/organization.json`; without it the organization lives in memory only. */
  dataDir?: string;
  clock?: Clock;
  /** How long an account creation stays IN_PROGRESS. Default 0: done by the next call. */
  createSeconds?: number;
  /** Accounts the organization may hold, the management account included (AWS's default is 10). */
  accountQuota?: number;
  /** Creations allowed IN_PROGRESS at once; one more is refused with TooManyRequestsException. */
  maxConcurrentCreates?: number;
  /** Seconds after creation before a new account's organization access role can be assumed (AWS: a few). */
  roleDelaySeconds?: number;
  /** Faults to inject in this process (SWITCHYARD_SIM_FAULTS); none by default. */
  faults?: SimulatedFaults;
  /** Where the fault dice come from; Math.random by default. */
  random?: () => number;
}

export interface SimulatedOrganizationStats {
  callsByOperation: Record<string, number>;
  /** The most creations seen IN_PROGRESS at the same time. */
  maxConcurrentCreates: number;
  /** Faults injected so far, by kind (throttle, conflict, crash-after-create, fail, stuck). */
  faultsInjected?: Record<string, number>;
}

export interface SimulatedSeedSummary {
  accounts: number;
  ous: number;
  /** The new top-level OUs the seeded ones hang under, e.g. `Seed-1`. */
  topLevel: string[];
  /** The account quota after seeding. */
  accountQuota: number;
}

export interface SimulatedAccountView {
  id: string;
  name: string;
  email: string;
  status: SimAccountStatus;
  /** OU path below the root, e.g. `Workloads/Staging`; '' for the root. */
  ou: string;
  /** The IAM account alias, once set. */
  alias?: string;
}

export interface SimulatedGrantsView {
  policies: { name: string; arn: string; versions: number; document: unknown }[];
  attachments: Record<string, string[]>;
}

/**
 * An AWS service exception: `name` is the exception name AWS uses, `fields` extra members of the
 * error body (such as `Reason`) that the SDK copies onto the exception it throws.
 */
export class SimulatedAwsError extends Error {
  constructor(
    name: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = name;
  }
}

const FORMAT = 'switchyard-simulated-organization/1';
const PAGE_LIMIT = 20;
const MAX_TAGS = 50;
const MAX_OUS = 1000;
/** `seed` puts its OUs under this many top-level ones (fewer when it makes fewer OUs). */
const SEED_TOP_LEVEL_OUS = 4;
const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 3_000;
/** Counts of read-only calls reach the file at most this often (and with every change). */
const STATS_FLUSH_MS = 1_000;
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const CREATE_STATES: readonly CreateAccountState[] = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED'];
const DEFAULT_SETTINGS: SimSettings = { createSeconds: 0, accountQuota: 10, maxConcurrentCreates: 5 };

interface SimSettings {
  createSeconds: number;
  accountQuota: number;
  maxConcurrentCreates: number;
  /** Seconds after creation before the account's organization access role can be assumed. */
  roleDelaySeconds?: number;
}

interface AccountRecord {
  seq: number;
  id: string;
  name: string;
  email: string;
  status: SimAccountStatus;
  joinedMethod: 'CREATED' | 'INVITED';
  joinedAt: string;
  parentId: string;
  tags: Record<string, string>;
}

interface OuRecord {
  seq: number;
  id: string;
  name: string;
  parentId: string;
  tags: Record<string, string>;
}

interface CreateRequestRecord {
  seq: number;
  id: string;
  accountName: string;
  email: string;
  tags: Record<string, string>;
  requestedAt: string;
  completesAt: string;
  state: CreateAccountState;
  accountId?: string;
  failureReason?: string;
  completedAt?: string;
  /** Injected: the creation ends FAILED with this reason. */
  failWith?: string;
  /** Injected: the creation never ends. */
  stuck?: boolean;
}

interface OrgState {
  format: typeof FORMAT;
  organizationId: string;
  managementAccountId: string;
  rootId: string;
  rootTags: Record<string, string>;
  /** Settings travel with the organization so that another process (the CLI) settles creations by the same rules. */
  settings: SimSettings;
  /** Records are listed in creation order; a page token remembers the last seq it returned. */
  nextSeq: number;
  accounts: AccountRecord[];
  ous: OuRecord[];
  createRequests: CreateRequestRecord[];
  stats: SimulatedOrganizationStats;
  /** Absent in files written before grants and aliases were simulated. */
  iam?: IamState;
}

export class SimulatedOrganization {
  private readonly clock: Clock;
  private readonly file?: StateFile;
  private state: OrgState;
  private inTransaction = false;
  private dirty = false;
  /**
   * Calls counted in this process but not yet in the file. `state.stats` is always what the file
   * holds (or will hold once the current transaction writes), so the true count is the two added up
   * — also after a reload brings in counts another process wrote.
   */
  private pendingCalls: Record<string, number> = {};
  /** Faults injected in this process and not yet in the file, as for calls. */
  private pendingFaults: Record<string, number> = {};
  private readonly faults: SimulatedFaults;
  private readonly random: () => number;
  /** Real time (not the injected clock, which tests stop): how often counts are written is an I/O matter. */
  private lastStatsFlush = Date.now();
  private flushTimer?: ReturnType<typeof setTimeout>;

  constructor(options: SimulatedOrganizationOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.faults = options.faults ?? NO_FAULTS;
    this.random = options.random ?? Math.random;
    const explicit = explicitSettings(options);
    if (!options.dataDir) {
      this.state = newState({ ...DEFAULT_SETTINGS, ...explicit }, this.clock.now());
      return;
    }
    mkdirSync(options.dataDir, { recursive: true });
    const file = new StateFile(organizationFilePath(options.dataDir));
    this.file = file;
    this.state = file.locked(() => {
      const existing = file.read();
      const state = existing ?? newState({ ...DEFAULT_SETTINGS, ...explicit }, this.clock.now());
      const changed = !existing || (Object.keys(explicit) as (keyof SimSettings)[]).some((key) => state.settings[key] !== explicit[key]);
      Object.assign(state.settings, explicit);
      if (changed) file.write(state);
      return state;
    });
  }

  // ---- Account creation -------------------------------------------------------------------------

  CreateAccount(input: CreateAccountRequest): CreateAccountResponse {
    return this.operation('CreateAccount', (s) => {
      const accountName = requiredString(input.AccountName, 'AccountName');
      checkLength(accountName, 'AccountName', 1, 50);
      if (!/^[\x20-\x7E]+$/.test(accountName)) throw invalid('INVALID_PATTERN', 'AccountName may contain only printable ASCII characters.');
      const email = requiredString(input.Email, 'Email');
      checkLength(email, 'Email', 6, 64);
      const problem = emailProblem(email);
      if (problem) throw invalid('INVALID_PATTERN', `Email ${problem}.`);
      if (input.RoleName !== undefined) {
        const roleName = requiredString(input.RoleName, 'RoleName');
        if (!/^[\w+=,.@-]{1,64}$/.test(roleName)) throw invalid('INVALID_ROLE_NAME', 'RoleName must be 1 to 64 of the characters [\\w+=,.@-].');
      }
      if (input.IamUserAccessToBilling !== undefined && input.IamUserAccessToBilling !== 'ALLOW' && input.IamUserAccessToBilling !== 'DENY') {
        throw invalid('INVALID_ENUM', 'IamUserAccessToBilling must be ALLOW or DENY.');
      }
      const tags = tagMap(input.Tags);
      if (Object.keys(tags).length > MAX_TAGS) throw tagLimit();

      const running = inProgress(s);
      if (running >= s.settings.maxConcurrentCreates) {
        throw new SimulatedAwsError(
          'TooManyRequestsException',
          `Too many account creations in progress (${running} of at most ${s.settings.maxConcurrentCreates}); wait for one to finish and try again.`,
        );
      }
      const now = this.clock.now();
      const request: CreateRequestRecord = {
        seq: s.nextSeq++,
        id: uniqueId(() => `car-${alnum(32)}`, (id) => s.createRequests.some((r) => r.id === id)),
        accountName,
        email,
        tags,
        requestedAt: now.toISOString(),
        completesAt: new Date(now.getTime() + s.settings.createSeconds * 1000).toISOString(),
        state: 'IN_PROGRESS',
      };
      const injectedFailure = this.faults.fail[accountName.toLowerCase()];
      if (injectedFailure) {
        request.failWith = injectedFailure;
        this.countFault('fail');
      }
      if (this.faults.stuck.includes(accountName.toLowerCase())) {
        request.stuck = true;
        this.countFault('stuck');
      }
      s.createRequests.push(request);
      s.stats.maxConcurrentCreates = Math.max(s.stats.maxConcurrentCreates, running + 1);
      return { CreateAccountStatus: createStatus(request) };
    });
  }

  DescribeCreateAccountStatus(input: DescribeCreateAccountStatusRequest): DescribeCreateAccountStatusResponse {
    return this.operation('DescribeCreateAccountStatus', (s) => {
      const id = requiredString(input.CreateAccountRequestId, 'CreateAccountRequestId');
      const request = s.createRequests.find((r) => r.id === id);
      if (!request) {
        throw new SimulatedAwsError('CreateAccountStatusNotFoundException', `We can't find a create account request with the ID ${id}.`);
      }
      return { CreateAccountStatus: createStatus(request) };
    });
  }

  ListCreateAccountStatus(input: ListCreateAccountStatusRequest = {}): ListCreateAccountStatusResponse {
    return this.operation('ListCreateAccountStatus', (s) => {
      const states = input.States === undefined ? [] : requiredArray(input.States, 'States');
      for (const state of states) {
        if (!CREATE_STATES.includes(state)) throw invalid('INVALID_ENUM', `States may contain only ${CREATE_STATES.join(', ')}.`);
      }
      const wanted = [...new Set(states)].sort();
      const matching = s.createRequests.filter((r) => wanted.length === 0 || wanted.includes(r.state));
      const page = this.page(s, 'ListCreateAccountStatus', wanted.join(','), matching, (r) => r.seq, input);
      return { CreateAccountStatuses: page.items.map(createStatus), NextToken: page.nextToken };
    });
  }

  // ---- Accounts ---------------------------------------------------------------------------------

  ListAccounts(input: ListAccountsRequest = {}): ListAccountsResponse {
    return this.operation('ListAccounts', (s) => {
      const page = this.page(s, 'ListAccounts', '', s.accounts, (a) => a.seq, input);
      return { Accounts: page.items.map((a) => account(s, a)), NextToken: page.nextToken };
    });
  }

  ListAccountsForParent(input: ListAccountsForParentRequest): ListAccountsForParentResponse {
    return this.operation('ListAccountsForParent', (s) => {
      const parentId = existingParent(s, requiredString(input.ParentId, 'ParentId'));
      const inParent = s.accounts.filter((a) => a.parentId === parentId);
      const page = this.page(s, 'ListAccountsForParent', parentId, inParent, (a) => a.seq, input);
      return { Accounts: page.items.map((a) => account(s, a)), NextToken: page.nextToken };
    });
  }

  DescribeAccount(input: DescribeAccountRequest): DescribeAccountResponse {
    return this.operation('DescribeAccount', (s) => ({ Account: account(s, existingAccount(s, requiredString(input.AccountId, 'AccountId'))) }));
  }

  MoveAccount(input: MoveAccountRequest): Record<string, never> {
    return this.operation('MoveAccount', (s) => {
      const record = existingAccount(s, requiredString(input.AccountId, 'AccountId'));
      const source = requiredString(input.SourceParentId, 'SourceParentId');
      const destination = requiredString(input.DestinationParentId, 'DestinationParentId');
      if (!isParent(s, source)) throw sourceParentNotFound();
      if (!isParent(s, destination)) {
        throw new SimulatedAwsError('DestinationParentNotFoundException', "We can't find the destination container (a root or OU) with the ParentId that you specified.");
      }
      // Checked before the source so that a retried move which already happened reads as "already there".
      if (record.parentId === destination) {
        throw new SimulatedAwsError('DuplicateAccountException', 'That account is already present in the specified destination.');
      }
      if (record.parentId !== source) throw sourceParentNotFound();
      record.parentId = destination;
      return {};
    });
  }

  // ---- Roots and OUs ----------------------------------------------------------------------------

  ListRoots(input: ListRootsRequest = {}): ListRootsResponse {
    return this.operation('ListRoots', (s) => {
      const page = this.page(s, 'ListRoots', '', [s.rootId], () => 0, input);
      return { Roots: page.items.map((id) => ({ Id: id, Arn: arn(s, `root/${s.organizationId}/${id}`), Name: 'Root', PolicyTypes: [] })), NextToken: page.nextToken };
    });
  }

  ListOrganizationalUnitsForParent(input: ListOrganizationalUnitsForParentRequest): ListOrganizationalUnitsForParentResponse {
    return this.operation('ListOrganizationalUnitsForParent', (s) => {
      const parentId = existingParent(s, requiredString(input.ParentId, 'ParentId'));
      const children = s.ous.filter((o) => o.parentId === parentId);
      const page = this.page(s, 'ListOrganizationalUnitsForParent', parentId, children, (o) => o.seq, input);
      return { OrganizationalUnits: page.items.map((o) => organizationalUnit(s, o)), NextToken: page.nextToken };
    });
  }

  CreateOrganizationalUnit(input: CreateOrganizationalUnitRequest): CreateOrganizationalUnitResponse {
    return this.operation('CreateOrganizationalUnit', (s) => {
      const parentId = existingParent(s, requiredString(input.ParentId, 'ParentId'));
      const name = requiredString(input.Name, 'Name');
      const tags = tagMap(input.Tags);
      if (Object.keys(tags).length > MAX_TAGS) throw tagLimit();
      if (s.ous.some((o) => o.parentId === parentId && o.name === name)) {
        throw new SimulatedAwsError('DuplicateOrganizationalUnitException', `An OU named ${name} already exists in the parent ${parentId}.`);
      }
      return { OrganizationalUnit: organizationalUnit(s, this.addOu(s, parentId, name, tags)) };
    });
  }

  DescribeOrganizationalUnit(input: DescribeOrganizationalUnitRequest): DescribeOrganizationalUnitResponse {
    return this.operation('DescribeOrganizationalUnit', (s) => {
      const id = requiredString(input.OrganizationalUnitId, 'OrganizationalUnitId');
      const ou = s.ous.find((o) => o.id === id);
      if (!ou) throw new SimulatedAwsError('OrganizationalUnitNotFoundException', `We can't find an OU with the ID ${id}.`);
      return { OrganizationalUnit: organizationalUnit(s, ou) };
    });
  }

  ListParents(input: ListParentsRequest): ListParentsResponse {
    return this.operation('ListParents', (s) => {
      const childId = requiredString(input.ChildId, 'ChildId');
      const parentId = s.accounts.find((a) => a.id === childId)?.parentId ?? s.ous.find((o) => o.id === childId)?.parentId;
      if (parentId === undefined) throw new SimulatedAwsError('ChildNotFoundException', `We can't find an account or OU with the ID ${childId}.`);
      const page = this.page(s, 'ListParents', childId, [parentId], () => 0, input);
      return {
        Parents: page.items.map((id) => ({ Id: id, Type: id === s.rootId ? ('ROOT' as const) : ('ORGANIZATIONAL_UNIT' as const) })),
        NextToken: page.nextToken,
      };
    });
  }

  ListChildren(input: ListChildrenRequest): ListChildrenResponse {
    return this.operation('ListChildren', (s) => {
      const parentId = existingParent(s, requiredString(input.ParentId, 'ParentId'));
      const childType = requiredString(input.ChildType, 'ChildType');
      if (childType !== 'ACCOUNT' && childType !== 'ORGANIZATIONAL_UNIT') throw invalid('INVALID_ENUM', 'ChildType must be ACCOUNT or ORGANIZATIONAL_UNIT.');
      const children: { seq: number; id: string }[] = childType === 'ACCOUNT' ? s.accounts.filter((a) => a.parentId === parentId) : s.ous.filter((o) => o.parentId === parentId);
      const page = this.page(s, 'ListChildren', `${parentId}:${childType}`, children, (c) => c.seq, input);
      return { Children: page.items.map((c): Child => ({ Id: c.id, Type: childType })), NextToken: page.nextToken };
    });
  }

  // ---- Tags -------------------------------------------------------------------------------------

  TagResource(input: TagResourceRequest): Record<string, never> {
    return this.operation('TagResource', (s) => {
      const tags = tagsOf(s, requiredString(input.ResourceId, 'ResourceId'));
      const added = tagMap(requiredArray(input.Tags, 'Tags'));
      if (Object.keys({ ...tags, ...added }).length > MAX_TAGS) throw tagLimit();
      Object.assign(tags, added);
      return {};
    });
  }

  UntagResource(input: UntagResourceRequest): Record<string, never> {
    return this.operation('UntagResource', (s) => {
      const tags = tagsOf(s, requiredString(input.ResourceId, 'ResourceId'));
      const keys = requiredArray(input.TagKeys, 'TagKeys').map((key) => requiredString(key, 'TagKeys[]'));
      for (const key of keys) delete tags[key];
      return {};
    });
  }

  ListTagsForResource(input: ListTagsForResourceRequest): ListTagsForResourceResponse {
    return this.operation('ListTagsForResource', (s) => {
      const resourceId = requiredString(input.ResourceId, 'ResourceId');
      const tags = Object.entries(tagsOf(s, resourceId))
        .map(([Key, Value]): Tag => ({ Key, Value }))
        .sort((a, b) => (a.Key! < b.Key! ? -1 : a.Key! > b.Key! ? 1 : 0));
      const page = this.page(s, 'ListTagsForResource', resourceId, tags, (t) => t.Key!, { NextToken: input.NextToken });
      return { Tags: page.items, NextToken: page.nextToken };
    });
  }

  // ---- Organization -----------------------------------------------------------------------------

  DescribeOrganization(_input: DescribeOrganizationCommandInput = {}): DescribeOrganizationResponse {
    return this.operation('DescribeOrganization', (s) => {
      const management = s.accounts.find((a) => a.id === s.managementAccountId)!;
      return {
        Organization: {
          Id: s.organizationId,
          Arn: arn(s, `organization/${s.organizationId}`),
          FeatureSet: 'ALL',
          MasterAccountArn: arn(s, `account/${s.organizationId}/${management.id}`),
          MasterAccountId: management.id,
          MasterAccountEmail: management.email,
          AvailablePolicyTypes: [],
        },
      };
    });
  }

  // ---- Helpers for the CLI, tests and drift checks (not AWS operations; not counted in stats) ----

  /** The OU path of a root or OU id: '' for the root, `Workloads/Staging` for an OU. */
  ouPath(parentId: string): string {
    return this.read((s) => pathOf(s, parentId));
  }

  /** Every account with its OU path, the management account included, in the order they joined. */
  accountsView(): SimulatedAccountView[] {
    return this.transaction((s) => {
      this.settle(s);
      return s.accounts.map((a) => accountView(s, a));
    });
  }

  /** The id of the OU at `Workloads/Staging` (the root's id for ''), or undefined when there is none. */
  findOuByPath(path: string): string | undefined {
    const segments = splitPath(path);
    if (!segments) return undefined;
    return this.read((s) => {
      let parentId: string | undefined = s.rootId;
      for (const name of segments) {
        parentId = s.ous.find((o) => o.parentId === parentId && o.name === name)?.id;
        if (!parentId) return undefined;
      }
      return parentId;
    });
  }

  /** Whether an OU exists at the path ('' or '/' is the root). */
  hasOuPath(path: string): boolean {
    return this.read((s) => {
      try {
        existingOuPath(s, path);
        return true;
      } catch {
        return false;
      }
    });
  }

  /** Creates whichever OUs along the path are missing and returns the id of the last one. */
  ensureOuPath(path: string): string {
    const segments = splitPath(path);
    if (!segments) throw invalid('INVALID_PATTERN', `The OU path ${JSON.stringify(path)} has an empty segment.`);
    // Refused whole rather than half created.
    for (const name of segments) checkLength(name, 'Name', 1, 128);
    if (segments.length > MAX_OU_DEPTH) {
      throw new SimulatedAwsError('ConstraintViolationException', `OUs may be nested at most ${MAX_OU_DEPTH} levels below the root.`, { Reason: 'OU_DEPTH_LIMIT_EXCEEDED' });
    }
    return this.transaction((s) => {
      let parentId = s.rootId;
      for (const name of segments) {
        parentId = s.ous.find((o) => o.parentId === parentId && o.name === name)?.id ?? this.addOu(s, parentId, name, {}).id;
      }
      return parentId;
    });
  }

  // ---- What someone does by hand in the console (drift for Switchyard to find; not counted) -------

  /** Moves an account into the OU at `ouPath` ('' or '/' for the root), which must exist. */
  moveAccountTo(accountId: string, ouPath: string): { account: SimulatedAccountView; from: string } {
    return this.transaction((s) => {
      this.settle(s);
      const record = existingAccount(s, accountId);
      const destination = existingOuPath(s, ouPath);
      if (record.parentId === destination) {
        throw new SimulatedAwsError('DuplicateAccountException', `Account ${accountId} is already in ${displayPath(pathOf(s, destination))}.`);
      }
      const from = pathOf(s, record.parentId);
      record.parentId = destination;
      this.dirty = true;
      return { account: accountView(s, record), from };
    });
  }

  /** Closes an account: AWS shows it SUSPENDED afterwards (for 90 days, until it is gone). */
  closeAccount(accountId: string): SimulatedAccountView {
    return this.transaction((s) => {
      this.settle(s);
      const record = existingAccount(s, accountId);
      if (record.id === s.managementAccountId) {
        throw new SimulatedAwsError('ConstraintViolationException', `Account ${accountId} is the management account; it cannot be closed while it runs the organization.`);
      }
      if (record.status !== 'ACTIVE') throw new SimulatedAwsError('AccountAlreadyClosedException', `Account ${accountId} is already closed (${record.status}).`);
      record.status = 'SUSPENDED';
      this.dirty = true;
      return accountView(s, record);
    });
  }

  /**
   * An account created in the console rather than by Switchyard: it exists at once, in `ouPath`,
   * with no tags. AWS's own rules still apply (name, email, unique email, the account quota), and
   * it appears in the creation history as a request that succeeded, as a console creation does.
   */
  createAccountByHand(name: string, email: string, ouPath: string): SimulatedAccountView {
    checkLength(name, 'AccountName', 1, 50);
    if (!/^[\x20-\x7E]+$/.test(name)) throw invalid('INVALID_PATTERN', 'AccountName may contain only printable ASCII characters.');
    checkLength(email, 'Email', 6, 64);
    const problem = emailProblem(email);
    if (problem) throw invalid('INVALID_PATTERN', `Email ${problem}.`);
    return this.transaction((s) => {
      this.settle(s);
      const parentId = existingOuPath(s, ouPath);
      const lower = email.toLowerCase();
      if (s.accounts.some((a) => a.email.toLowerCase() === lower)) {
        throw new SimulatedAwsError('ConstraintViolationException', `An account with the email ${email} already exists.`, { Reason: 'EMAIL_ALREADY_EXISTS' });
      }
      if (s.accounts.length >= s.settings.accountQuota) {
        throw new SimulatedAwsError('ConstraintViolationException', `The organization already holds its quota of ${s.settings.accountQuota} accounts.`, {
          Reason: 'ACCOUNT_NUMBER_LIMIT_EXCEEDED',
        });
      }
      const now = this.clock.now().toISOString();
      const record: AccountRecord = {
        seq: s.nextSeq++,
        id: uniqueId(accountNumber, (candidate) => s.accounts.some((a) => a.id === candidate)),
        name,
        email,
        status: 'ACTIVE',
        joinedMethod: 'CREATED',
        joinedAt: now,
        parentId,
        tags: {},
      };
      s.accounts.push(record);
      s.createRequests.push({
        seq: s.nextSeq++,
        id: uniqueId(() => `car-${alnum(32)}`, (id) => s.createRequests.some((r) => r.id === id)),
        accountName: name,
        email,
        tags: {},
        requestedAt: now,
        completesAt: now,
        completedAt: now,
        state: 'SUCCEEDED',
        accountId: record.id,
      });
      this.dirty = true;
      return accountView(s, record);
    });
  }

  /** The account leaves the organization (RemoveAccountFromOrganization, or a closed account's 90 days passing). */
  removeAccount(accountId: string): SimulatedAccountView {
    return this.transaction((s) => {
      const record = existingAccount(s, accountId);
      if (record.id === s.managementAccountId) throw new SimulatedAwsError('ConstraintViolationException', `Account ${accountId} is the management account; it cannot leave.`);
      const view = accountView(s, record);
      s.accounts = s.accounts.filter((a) => a.id !== accountId);
      this.dirty = true;
      return view;
    });
  }

  /** Renames the OU at `ouPath` (UpdateOrganizationalUnit in the console). Returns its new path. */
  renameOu(ouPath: string, newName: string): { id: string; from: string; path: string } {
    checkLength(newName, 'Name', 1, 128);
    return this.transaction((s) => {
      const id = existingOuPath(s, ouPath);
      const ou = s.ous.find((o) => o.id === id);
      if (!ou) throw new SimulatedAwsError('InvalidInputException', 'The root cannot be renamed.');
      if (s.ous.some((o) => o.parentId === ou.parentId && o.name === newName && o.id !== id)) {
        throw new SimulatedAwsError('DuplicateOrganizationalUnitException', `An OU named ${newName} already exists under the same parent.`);
      }
      const from = pathOf(s, id);
      ou.name = newName;
      this.dirty = true;
      return { id, from, path: pathOf(s, id) };
    });
  }

  /** Deletes the OU at `ouPath`, which (as in AWS) must hold no accounts and no OUs. */
  deleteOu(ouPath: string): { id: string; path: string } {
    return this.transaction((s) => {
      const id = existingOuPath(s, ouPath);
      if (id === s.rootId) throw new SimulatedAwsError('InvalidInputException', 'The root cannot be deleted.');
      if (s.accounts.some((a) => a.parentId === id) || s.ous.some((o) => o.parentId === id)) {
        throw new SimulatedAwsError('OrganizationalUnitNotEmptyException', `The OU ${displayPath(pathOf(s, id))} still holds accounts or OUs; move them out first.`);
      }
      const path = pathOf(s, id);
      s.ous = s.ous.filter((o) => o.id !== id);
      this.dirty = true;
      return { id, path };
    });
  }

  /** Sets the given tags on an account; an empty value removes that tag. Returns all its tags after. */
  tagAccount(accountId: string, changes: Record<string, string>): Record<string, string> {
    const set = Object.entries(changes).filter(([, value]) => value !== '');
    const removed = Object.keys(changes).filter((key) => changes[key] === '');
    // Checked as TagResource checks them, before anything changes.
    const added = tagMap(set.map(([Key, Value]) => ({ Key, Value })));
    for (const key of removed) checkLength(key, 'Tags[].Key', 1, 128);
    return this.transaction((s) => {
      const tags = existingAccount(s, accountId).tags;
      const after = { ...tags, ...added };
      for (const key of removed) delete after[key];
      if (Object.keys(after).length > MAX_TAGS) throw tagLimit();
      for (const key of Object.keys(tags)) delete tags[key];
      Object.assign(tags, after);
      this.dirty = true;
      return { ...tags };
    });
  }

  /**
   * Fills the organization for tests at scale: `ous` OUs under a few new top-level OUs (`Seed-1`,
   * `Seed-2`, …) nested at most three levels deep, and `accounts` ACTIVE accounts dealt round-robin
   * over them (into the root when `ous` is 0), with emails `seed+<n>@example.com`. The account quota
   * grows to make room. Everything happens in one transaction, so the file is written once.
   */
  seed(options: { accounts: number; ous: number }): SimulatedSeedSummary {
    const { accounts, ous } = options;
    if (!Number.isInteger(accounts) || accounts < 0) throw new RangeError(`accounts must be a whole number, 0 or more (got ${accounts}).`);
    if (!Number.isInteger(ous) || ous < 0) throw new RangeError(`ous must be a whole number, 0 or more (got ${ous}).`);
    return this.transaction((s) => {
      this.settle(s);
      if (s.ous.length + ous > MAX_OUS) {
        throw new SimulatedAwsError('ConstraintViolationException', `An organization may hold at most ${MAX_OUS} OUs; it has ${s.ous.length} and ${ous} more were asked for.`, {
          Reason: 'OU_NUMBER_LIMIT_EXCEEDED',
        });
      }
      const roomBefore = Math.max(0, s.settings.accountQuota - s.accounts.length - inProgress(s));
      const parents = this.seedOus(s, ous);
      const ids = new Set(s.accounts.map((a) => a.id));
      const emails = new Set(s.accounts.map((a) => a.email.toLowerCase()));
      let n = 0;
      const joinedAt = this.clock.now().toISOString();
      for (let i = 0; i < accounts; i++) {
        do n++;
        while (emails.has(`seed+${n}@example.com`));
        const email = `seed+${n}@example.com`;
        emails.add(email);
        const id = uniqueId(accountNumber, (candidate) => ids.has(candidate));
        ids.add(id);
        s.accounts.push({
          seq: s.nextSeq++,
          id,
          name: `Seed ${n}`,
          email,
          status: 'ACTIVE',
          joinedMethod: 'CREATED',
          joinedAt,
          parentId: parents.length === 0 ? s.rootId : parents[i % parents.length]!.id,
          tags: {},
        });
      }
      // The room left for new accounts (and for creations in progress) stays what it was before
      // seeding, so Switchyard and create-account can still add accounts afterwards.
      s.settings.accountQuota = Math.max(s.settings.accountQuota, s.accounts.length + inProgress(s) + roomBefore);
      this.dirty = true;
      return { accounts, ous, topLevel: parents.filter((p) => p.parentId === s.rootId).map((p) => p.name), accountQuota: s.settings.accountQuota };
    });
  }

  // ---- IAM, as far as the handoff needs it -------------------------------------------------------

  /**
   * Assuming the organization access role of a new account: like AWS, the role becomes usable a
   * little after the account exists (`roleDelaySeconds`), and only in accounts the organization created.
   */
  assumeOrganizationRole(accountId: string, roleName: string): void {
    this.read((s) => {
      const account = s.accounts.find((a) => a.id === accountId);
      if (!account || account.joinedMethod !== 'CREATED' || account.id === s.managementAccountId || roleName.length === 0) {
        throw new SimulatedAwsError('AccessDenied', `Not authorized to assume ${roleName} in ${accountId}.`);
      }
      const usableAt = Date.parse(account.joinedAt) + (s.settings.roleDelaySeconds ?? 0) * 1000;
      if (this.clock.now().getTime() < usableAt) throw new SimulatedAwsError('AccessDenied', `Not authorized to assume ${roleName} in ${accountId} yet.`);
    });
  }

  /** IAM's CreateAccountAlias: globally unique, one per account; the same alias again is a no-op. */
  setAccountAlias(accountId: string, alias: string): void {
    if (!/^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/.test(alias)) throw new SimulatedAwsError('ValidationError', `Invalid account alias ${alias}.`);
    this.transaction((s) => {
      const iam = iamOf(s);
      const owner = Object.entries(iam.aliases).find(([, a]) => a === alias)?.[0];
      if (owner && owner !== accountId) throw new SimulatedAwsError('EntityAlreadyExists', `The account alias ${alias} already exists.`);
      if (iam.aliases[accountId] !== alias) {
        iam.aliases[accountId] = alias;
        this.dirty = true;
      }
    });
  }

  getAccountAlias(accountId: string): string | undefined {
    return this.read((s) => s.iam?.aliases[accountId]);
  }

  /**
   * The management account's IAM lives in this organization's state, so it shares its file, its lock
   * and a restart's memory; its operations are modelled in sim-iam.ts. A 'change' runs under the lock
   * and writes the state back (unless `run` throws: operations check before they change anything);
   * a 'read' never writes.
   */
  iamState<T>(mode: 'read' | 'change', run: (iam: IamState, account: { managementAccountId: string; now: Date }) => T): T {
    if (mode === 'read') return this.read((s) => run(s.iam ?? emptyIam(), { managementAccountId: s.managementAccountId, now: this.clock.now() }));
    return this.transaction((s) => {
      const result = run(iamOf(s), { managementAccountId: s.managementAccountId, now: this.clock.now() });
      this.dirty = true;
      return result;
    });
  }

  grantsView(): SimulatedGrantsView {
    return this.read((s) => ({
      policies: Object.entries(s.iam?.policies ?? {}).map(([name, p]) => ({
        name,
        arn: p.arn,
        versions: p.versions.length,
        document: JSON.parse(p.versions.find((v) => v.id === p.defaultVersionId)!.document),
      })),
      attachments: { ...(s.iam?.attachments ?? {}) },
    }));
  }

  /** The counts in the file plus this process's calls not written yet. */
  stats(): SimulatedOrganizationStats {
    return this.read((s) => ({
      callsByOperation: mergedCalls(s.stats.callsByOperation, this.pendingCalls),
      maxConcurrentCreates: s.stats.maxConcurrentCreates,
      faultsInjected: mergedCalls(s.stats.faultsInjected ?? {}, this.pendingFaults),
    }));
  }

  /** Writes this process's unwritten call counts to the file now, e.g. before another process reads them. */
  flushStats(): void {
    if (!this.file || Object.keys(this.pendingCalls).length + Object.keys(this.pendingFaults).length === 0) return;
    this.transaction(() => {
      this.dirty = true;
    });
  }

  /** Starts counting afresh, e.g. before measuring how many calls one workflow makes. */
  resetStats(): void {
    this.transaction((s) => {
      this.settle(s);
      s.stats = { callsByOperation: {}, maxConcurrentCreates: inProgress(s), faultsInjected: {} };
      this.pendingCalls = {};
      this.pendingFaults = {};
      this.dirty = true;
    });
  }

  // ---- Internals --------------------------------------------------------------------------------

  private operation<T>(name: SimulatedOperation, run: (s: OrgState) => T): T {
    this.countCall(name);
    this.injectRefusal(name);
    const result = this.performOperation(name, run);
    if (name === 'CreateAccount' && this.faults.crashAfterCreate > 0 && this.random() < this.faults.crashAfterCreate) {
      this.countFault('crash-after-create');
      throw new SimulatedCrashError('Injected crash-after-create: the organization accepted CreateAccount, then the calling Lambda timed out.');
    }
    return result;
  }

  /** Throttling and concurrent-modification faults, before the call does anything. */
  private injectRefusal(name: SimulatedOperation): void {
    if (this.faults.throttle > 0 && this.random() < this.faults.throttle) {
      this.countFault('throttle');
      throw new SimulatedAwsError('TooManyRequestsException', 'AWS Organizations can\'t complete your request because another request is already in progress. Try again later. (injected)');
    }
    if (this.faults.conflict > 0 && !isReadOnly(name) && this.random() < this.faults.conflict) {
      this.countFault('conflict');
      throw new SimulatedAwsError('ConcurrentModificationException', 'The target of the operation is currently being modified by a different request. Try again later. (injected)');
    }
  }

  private countFault(kind: FaultKind): void {
    this.pendingFaults[kind] = (this.pendingFaults[kind] ?? 0) + 1;
    if (!this.file) this.flushFaultsInMemory();
  }

  private flushFaultsInMemory(): void {
    this.state.stats.faultsInjected = mergedCalls(this.state.stats.faultsInjected ?? {}, this.pendingFaults);
    this.pendingFaults = {};
  }

  private performOperation<T>(name: SimulatedOperation, run: (s: OrgState) => T): T {
    if (this.file && !this.inTransaction && isReadOnly(name)) {
      // Without the lock: the file is only ever replaced whole. Only a creation that has come due
      // turns a read into a change (settling it), and that must happen under the lock.
      // A deleted file goes the transaction's way too, which writes it back from memory.
      const onDisk = this.file.poll();
      if (onDisk !== 'missing') {
        if (onDisk) this.state = onDisk;
        if (!settlementDue(this.state, this.clock.now().getTime())) return run(this.state);
      }
    }
    return this.transaction((s) => {
      this.settle(s);
      if (!isReadOnly(name)) this.dirty = true;
      return run(s);
    });
  }

  private countCall(name: SimulatedOperation): void {
    if (!this.file) {
      this.state.stats.callsByOperation[name] = (this.state.stats.callsByOperation[name] ?? 0) + 1;
      return;
    }
    this.pendingCalls[name] = (this.pendingCalls[name] ?? 0) + 1;
    // A change writes the file anyway, and the counts with it.
    if (this.inTransaction || !isReadOnly(name)) return;
    if (Date.now() - this.lastStatsFlush >= STATS_FLUSH_MS) {
      this.flushQuietly();
    } else if (!this.flushTimer) {
      // Catches the counts of the last calls of a burst; unref'd so that it never keeps a process alive.
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.flushQuietly();
      }, STATS_FLUSH_MS);
      this.flushTimer.unref?.();
    }
  }

  /**
   * A periodic flush must never fail the call it rides on, nor bring back a file someone deleted
   * (a test's data directory, gone by the time the timer fires): the counts stay pending instead.
   */
  private flushQuietly(): void {
    if (!existsSync(this.file!.path)) return;
    try {
      this.flushStats();
    } catch {
      // Lock held elsewhere or the directory went away: the next change or flush writes them.
    }
  }

  /**
   * Runs `run` on the current state under the cross-process lock and writes the state back if it
   * changed. Operations validate before they mutate, so a thrown AWS error leaves nothing half done.
   */
  private transaction<T>(run: (s: OrgState) => T): T {
    const file = this.file;
    if (!file || this.inTransaction) return run(this.state);
    return file.locked(() => {
      this.inTransaction = true;
      this.dirty = false;
      try {
        const onDisk = file.poll();
        // A deleted file is rewritten from memory rather than silently becoming a new organization.
        if (onDisk === 'missing') this.dirty = true;
        else if (onDisk) this.state = onDisk;
        return run(this.state);
      } finally {
        this.inTransaction = false;
        if (this.dirty) this.writeWithStats(file);
      }
    });
  }

  /** Every write carries the pending counts along; they count as written only once the write succeeded. */
  private writeWithStats(file: StateFile): void {
    const callsByOperation = mergedCalls(this.state.stats.callsByOperation, this.pendingCalls);
    const faultsInjected = mergedCalls(this.state.stats.faultsInjected ?? {}, this.pendingFaults);
    const stats = { ...this.state.stats, callsByOperation, faultsInjected };
    file.write({ ...this.state, stats });
    this.state.stats = stats;
    this.pendingCalls = {};
    this.pendingFaults = {};
    this.lastStatsFlush = Date.now();
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
  }

  /** Reads need no lock: the file is only ever replaced whole, by rename. */
  private read<T>(run: (s: OrgState) => T): T {
    return run(this.refresh());
  }

  /** The state, reloaded first when another process changed the file. */
  private refresh(): OrgState {
    if (this.file && !this.inTransaction) {
      const onDisk = this.file.poll();
      if (onDisk && onDisk !== 'missing') this.state = onDisk;
    }
    return this.state;
  }

  /** Finishes every creation whose time has come, in the order they come due. */
  private settle(s: OrgState): void {
    const now = this.clock.now().getTime();
    const due = s.createRequests
      .filter((r) => r.state === 'IN_PROGRESS' && !r.stuck && Date.parse(r.completesAt) <= now)
      .sort((a, b) => Date.parse(a.completesAt) - Date.parse(b.completesAt) || a.seq - b.seq);
    for (const request of due) {
      const email = request.email.toLowerCase();
      if (request.failWith) {
        request.state = 'FAILED';
        request.failureReason = request.failWith;
      } else if (s.accounts.some((a) => a.email.toLowerCase() === email)) {
        request.state = 'FAILED';
        request.failureReason = 'EMAIL_ALREADY_EXISTS';
      } else if (s.accounts.length >= s.settings.accountQuota) {
        request.state = 'FAILED';
        request.failureReason = 'ACCOUNT_LIMIT_EXCEEDED';
      } else {
        const id = uniqueId(accountNumber, (candidate) => s.accounts.some((a) => a.id === candidate));
        s.accounts.push({
          seq: s.nextSeq++,
          id,
          name: request.accountName,
          email: request.email,
          status: 'ACTIVE',
          joinedMethod: 'CREATED',
          joinedAt: request.completesAt,
          parentId: s.rootId,
          tags: { ...request.tags },
        });
        request.state = 'SUCCEEDED';
        request.accountId = id;
      }
      request.completedAt = request.completesAt;
      this.dirty = true;
    }
  }

  /**
   * `count` new OUs, breadth first: a few top-level ones named after the first free `Seed-<k>`, each
   * with `Team-<i>` children and those with `App-<j>` children, branching just widely enough that
   * three levels hold them all. Returned in creation order.
   */
  private seedOus(s: OrgState, count: number): OuRecord[] {
    if (count === 0) return [];
    const topCount = Math.min(count, SEED_TOP_LEVEL_OUS);
    let branching = 1;
    while (topCount * (1 + branching + branching * branching) < count) branching++;
    const taken = new Set(s.ous.filter((o) => o.parentId === s.rootId).map((o) => o.name));
    const created: OuRecord[] = [];
    for (let k = 1; created.length < topCount; k++) {
      if (!taken.has(`Seed-${k}`)) created.push(this.addOu(s, s.rootId, `Seed-${k}`, {}));
    }
    for (let next = 0; created.length < count; next++) {
      const parent = created[next]!;
      const childName = parent.parentId === s.rootId ? 'Team' : 'App';
      for (let i = 1; i <= branching && created.length < count; i++) created.push(this.addOu(s, parent.id, `${childName}-${i}`, {}));
    }
    return created;
  }

  private addOu(s: OrgState, parentId: string, name: string, tags: Record<string, string>): OuRecord {
    checkLength(name, 'Name', 1, 128);
    if (depthOf(s, parentId) + 1 > MAX_OU_DEPTH) {
      throw new SimulatedAwsError('ConstraintViolationException', `OUs may be nested at most ${MAX_OU_DEPTH} levels below the root.`, { Reason: 'OU_DEPTH_LIMIT_EXCEEDED' });
    }
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
    this.dirty = true;
    return ou;
  }

  /**
   * One page of `items` (already in a stable order by `key`). The token records the operation, the
   * query it belongs to and the last key returned, so items added or removed between pages neither
   * repeat nor shift the rest; it carries a checksum so that a made-up or altered token is refused.
   */
  private page<T>(
    s: OrgState,
    operation: string,
    scope: string,
    items: readonly T[],
    key: (item: T) => number | string,
    input: { NextToken?: string; MaxResults?: number },
  ): { items: T[]; nextToken?: string } {
    const limit = maxResults(input.MaxResults);
    let remaining = items;
    if (input.NextToken !== undefined && input.NextToken !== null) {
      const after = decodeToken(s, input.NextToken, operation, scope);
      remaining = items.filter((item) => comesAfter(key(item), after));
    }
    const pageItems = remaining.slice(0, limit);
    if (remaining.length <= limit) return { items: pageItems };
    return { items: pageItems, nextToken: encodeToken(s, { o: operation, q: scope, a: key(pageItems[pageItems.length - 1]!) }) };
  }
}

// ---- Persistence ------------------------------------------------------------------------------

const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));

function sleepMs(ms: number): void {
  Atomics.wait(SLEEP_CELL, 0, 0, ms);
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function signatureOf(stats: Stats): string {
  // The file is replaced by rename, so the inode changes with every write; the times and size back it up.
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}

/** The organization file, its lock file and what this process last saw of it. */
class StateFile {
  private signature?: string;
  private readonly lockPath: string;

  constructor(readonly path: string) {
    this.lockPath = `${path}.lock`;
  }

  read(): OrgState | undefined {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const signature = signatureOf(fstatSync(fd));
      const state = parseState(readFileSync(fd, 'utf8'), this.path);
      this.signature = signature;
      return state;
    } finally {
      closeSync(fd);
    }
  }

  /** The state on disk when it changed since this process last read or wrote it; 'missing' when the file is gone. */
  poll(): OrgState | 'missing' | undefined {
    let stats: Stats;
    try {
      stats = statSync(this.path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return 'missing';
      throw error;
    }
    if (signatureOf(stats) === this.signature) return undefined;
    return this.read() ?? 'missing';
  }

  /** Readers in other processes see the old file or the new one, never a half-written one. */
  write(state: OrgState): void {
    // Flushed before and after the rename: a power cut leaves the old state or the new one, never an empty file.
    replaceFileDurably(this.path, `${this.path}.${process.pid}.${alnum(8)}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
    this.signature = signatureOf(statSync(this.path));
  }

  locked<T>(run: () => T): T {
    this.acquire();
    try {
      return run();
    } finally {
      this.release();
    }
  }

  private acquire(): void {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const fd = openSync(this.lockPath, 'wx');
        try {
          writeFileSync(fd, `${process.pid}\n`);
        } finally {
          closeSync(fd);
        }
        return;
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      }
      if (this.removeStaleLock()) continue;
      if (Date.now() >= deadline) {
        // The name AWS gives a request that collided with another change: callers already retry it.
        throw new SimulatedAwsError('ConcurrentModificationException', `The simulated organization is locked by another process (${this.lockPath}); try again.`);
      }
      sleepMs(5 + randomInt(20));
    }
  }

  /**
   * A process that died holding the lock must not wedge every other one: the lock is taken over
   * when it is older than any operation could take, or at once when its owner is known to be gone
   * (a runtime killed mid-operation and restarted at once would otherwise fail to start).
   */
  private removeStaleLock(): boolean {
    try {
      const old = Date.now() - statSync(this.lockPath).mtimeMs > LOCK_STALE_MS;
      if (!old && !ownerIsGone(readFileSync(this.lockPath, 'utf8'))) return false;
      unlinkSync(this.lockPath);
      return true;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return true;
      throw error;
    }
  }

  private release(): void {
    try {
      unlinkSync(this.lockPath);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  }
}

/**
 * True only when the lock names a process of this machine that no longer runs: none has its pid, or
 * it is a zombie (dead, its pid kept until its parent reaps it). A runtime killed with SIGKILL and
 * restarted before its parent reaped it is the zombie case; signal 0 cannot tell a zombie from a process.
 */
function ownerIsGone(lockContent: string): boolean {
  const pid = Number(lockContent.trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return errorCode(error) === 'ESRCH';
  }
  return isZombie(pid);
}

/** Linux says in /proc; elsewhere ps does (asked only while an owner that seems alive holds the lock). */
function isZombie(pid: number): boolean {
  if (process.platform === 'win32') return false;
  if (process.platform === 'linux') {
    try {
      return /^State:\s+[ZX]/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch (error) {
      // Reaped since the signal went through: gone.
      return errorCode(error) === 'ENOENT';
    }
  }
  const ps = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
  return ps.status === 0 && ps.stdout.trim().startsWith('Z');
}

function parseState(text: string, path: string): OrgState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}); move it aside to start a fresh simulated organization.`);
  }
  const state = parsed as Partial<OrgState> | null;
  if (!state || state.format !== FORMAT || !Array.isArray(state.accounts) || !Array.isArray(state.ous) || !Array.isArray(state.createRequests)) {
    throw new Error(`${path} is not a simulated organization file (expected format ${FORMAT}); move it aside to start a fresh one.`);
  }
  return state as OrgState;
}

// ---- State construction -----------------------------------------------------------------------

function explicitSettings(options: SimulatedOrganizationOptions): Partial<SimSettings> {
  const settings: Partial<SimSettings> = {};
  if (options.roleDelaySeconds !== undefined) {
    if (!Number.isFinite(options.roleDelaySeconds) || options.roleDelaySeconds < 0) throw new RangeError(`roleDelaySeconds must be 0 or more (got ${options.roleDelaySeconds}).`);
    settings.roleDelaySeconds = options.roleDelaySeconds;
  }
  if (options.createSeconds !== undefined) {
    if (!Number.isFinite(options.createSeconds) || options.createSeconds < 0) {
      throw new RangeError(`createSeconds must be a number of seconds, 0 or more (got ${options.createSeconds}).`);
    }
    settings.createSeconds = options.createSeconds;
  }
  if (options.accountQuota !== undefined) {
    if (!Number.isInteger(options.accountQuota) || options.accountQuota < 1) {
      throw new RangeError(`accountQuota must be a whole number, 1 or more (got ${options.accountQuota}).`);
    }
    settings.accountQuota = options.accountQuota;
  }
  if (options.maxConcurrentCreates !== undefined) {
    if (!Number.isInteger(options.maxConcurrentCreates) || options.maxConcurrentCreates < 1) {
      throw new RangeError(`maxConcurrentCreates must be a whole number, 1 or more (got ${options.maxConcurrentCreates}).`);
    }
    settings.maxConcurrentCreates = options.maxConcurrentCreates;
  }
  return settings;
}

function emptyIam(): IamState {
  return { policies: {}, attachments: {}, aliases: {} };
}

function iamOf(s: OrgState): IamState {
  return (s.iam ??= emptyIam());
}

function newState(settings: SimSettings, now: Date): OrgState {
  const rootId = `r-${alnum(4)}`;
  const managementAccountId = accountNumber();
  return {
    format: FORMAT,
    organizationId: `o-${alnum(10)}`,
    managementAccountId,
    rootId,
    rootTags: {},
    settings,
    nextSeq: 2,
    accounts: [
      {
        seq: 1,
        id: managementAccountId,
        name: 'Management',
        email: 'management@example.com',
        status: 'ACTIVE',
        joinedMethod: 'CREATED',
        joinedAt: now.toISOString(),
        parentId: rootId,
        tags: {},
      },
    ],
    ous: [],
    createRequests: [],
    stats: { callsByOperation: {}, maxConcurrentCreates: 0 },
  };
}

function alnum(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

function accountNumber(): string {
  return String(randomInt(0, 1_000_000_000_000)).padStart(12, '0');
}

function uniqueId(make: () => string, taken: (id: string) => boolean): string {
  for (;;) {
    const id = make();
    if (!taken(id)) return id;
  }
}

// ---- Shapes returned to callers ---------------------------------------------------------------

function arn(s: OrgState, resource: string): string {
  return `arn:aws:organizations::${s.managementAccountId}:${resource}`;
}

function account(s: OrgState, a: AccountRecord): Account {
  return {
    Id: a.id,
    Arn: arn(s, `account/${s.organizationId}/${a.id}`),
    Email: a.email,
    Name: a.name,
    Status: a.status,
    State: a.status,
    JoinedMethod: a.joinedMethod,
    JoinedTimestamp: new Date(a.joinedAt),
  };
}

function accountView(s: OrgState, a: AccountRecord): SimulatedAccountView {
  return {
    id: a.id,
    name: a.name,
    email: a.email,
    status: a.status,
    ou: pathOf(s, a.parentId),
    ...(s.iam?.aliases[a.id] ? { alias: s.iam.aliases[a.id] } : {}),
  };
}

function organizationalUnit(s: OrgState, o: OuRecord): OrganizationalUnit {
  return { Id: o.id, Arn: arn(s, `ou/${s.organizationId}/${o.id}`), Name: o.name };
}

function createStatus(r: CreateRequestRecord): CreateAccountStatus {
  return {
    Id: r.id,
    AccountName: r.accountName,
    State: r.state,
    RequestedTimestamp: new Date(r.requestedAt),
    CompletedTimestamp: r.completedAt ? new Date(r.completedAt) : undefined,
    AccountId: r.accountId,
    FailureReason: r.failureReason as CreateAccountFailureReason | undefined,
  };
}

// ---- Lookups ----------------------------------------------------------------------------------

function mergedCalls(onDisk: Record<string, number>, pending: Record<string, number>): Record<string, number> {
  const merged = { ...onDisk };
  for (const [operation, calls] of Object.entries(pending)) merged[operation] = (merged[operation] ?? 0) + calls;
  return merged;
}

function settlementDue(s: OrgState, now: number): boolean {
  return s.createRequests.some((r) => r.state === 'IN_PROGRESS' && !r.stuck && Date.parse(r.completesAt) <= now);
}

function inProgress(s: OrgState): number {
  return s.createRequests.filter((r) => r.state === 'IN_PROGRESS').length;
}

function isParent(s: OrgState, id: string): boolean {
  return id === s.rootId || s.ous.some((o) => o.id === id);
}

function existingParent(s: OrgState, id: string): string {
  if (!isParent(s, id)) throw new SimulatedAwsError('ParentNotFoundException', `We can't find a root or OU with the ID ${id}.`);
  return id;
}

function existingAccount(s: OrgState, id: string): AccountRecord {
  const found = s.accounts.find((a) => a.id === id);
  if (!found) throw new SimulatedAwsError('AccountNotFoundException', `We can't find an account with the ID ${id}.`);
  return found;
}

/** The live tag map of a root, OU or account; changing it changes the resource's tags. */
function tagsOf(s: OrgState, resourceId: string): Record<string, string> {
  if (resourceId === s.rootId) return s.rootTags;
  const target = s.accounts.find((a) => a.id === resourceId) ?? s.ous.find((o) => o.id === resourceId);
  if (!target) throw new SimulatedAwsError('TargetNotFoundException', `We can't find a root, OU or account with the ID ${resourceId}.`);
  return target.tags;
}

function sourceParentNotFound(): SimulatedAwsError {
  return new SimulatedAwsError('SourceParentNotFoundException', "We can't find a source root or OU with the ParentId that you specified, or the account is not in it.");
}

function pathOf(s: OrgState, parentId: string): string {
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

function displayPath(path: string): string {
  return path === '' ? 'the root' : path;
}

/** The id of the existing root or OU at `path`; a path with no OU is an error that names it. */
function existingOuPath(s: OrgState, path: string): string {
  const segments = splitPath(path);
  let parentId: string | undefined = s.rootId;
  for (const name of segments ?? []) {
    parentId = s.ous.find((o) => o.parentId === parentId && o.name === name)?.id;
    if (!parentId) break;
  }
  if (!segments || !parentId) throw new SimulatedAwsError('ParentNotFoundException', `There is no OU at the path ${JSON.stringify(path)}.`);
  return parentId;
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

/** `Workloads/Staging`, `/Workloads/Staging/` → segments; '' → [] (the root); undefined for an empty segment. */
function splitPath(path: string): string[] | undefined {
  const trimmed = path.trim().replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return [];
  const segments = trimmed.split('/').map((segment) => segment.trim());
  return segments.some((segment) => segment === '') ? undefined : segments;
}

// ---- Input validation -------------------------------------------------------------------------

function invalid(reason: string, message: string): SimulatedAwsError {
  return new SimulatedAwsError('InvalidInputException', message, { Reason: reason });
}

function tagLimit(): SimulatedAwsError {
  return new SimulatedAwsError('ConstraintViolationException', `A resource may carry at most ${MAX_TAGS} tags.`, { Reason: 'MAX_TAG_LIMIT_EXCEEDED' });
}

function requiredString(value: unknown, field: string): string {
  if (value === undefined || value === null) throw invalid('INPUT_REQUIRED', `You must specify a value for ${field}.`);
  if (typeof value !== 'string') throw invalid('INVALID_INPUT', `${field} must be a string.`);
  return value;
}

function requiredArray<T>(value: T[] | undefined, field: string): T[] {
  if (value === undefined || value === null) throw invalid('INPUT_REQUIRED', `You must specify a value for ${field}.`);
  if (!Array.isArray(value)) throw invalid('INVALID_INPUT', `${field} must be a list.`);
  return value;
}

function checkLength(value: string, field: string, min: number, max: number): void {
  if (value.length < min) throw invalid('MIN_LENGTH_EXCEEDED', `${field} must be at least ${min} characters long.`);
  if (value.length > max) throw invalid('MAX_LENGTH_EXCEEDED', `${field} must be at most ${max} characters long.`);
}

function maxResults(value: unknown): number {
  if (value === undefined || value === null) return PAGE_LIMIT;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid('INVALID_INPUT', 'MaxResults must be a whole number.');
  if (value < 1) throw invalid('MIN_VALUE_EXCEEDED', 'MaxResults must be at least 1.');
  if (value > PAGE_LIMIT) throw invalid('MAX_VALUE_EXCEEDED', `MaxResults must be at most ${PAGE_LIMIT}.`);
  return value;
}

/** One bad tag fails the whole request, as at AWS. */
function tagMap(tags: Tag[] | undefined): Record<string, string> {
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

// ---- Page tokens ------------------------------------------------------------------------------

interface TokenPayload {
  /** operation */
  o: string;
  /** the query the token belongs to (parent, filters) */
  q: string;
  /** the key of the last item returned */
  a: number | string;
}

function comesAfter(key: number | string, cursor: number | string): boolean {
  return typeof key === 'number' && typeof cursor === 'number' ? key > cursor : String(key) > String(cursor);
}

function tokenChecksum(s: OrgState, body: string): string {
  return createHash('sha256').update(`${s.organizationId}:${body}`).digest('base64url').slice(0, 16);
}

function encodeToken(s: OrgState, payload: TokenPayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${tokenChecksum(s, body)}`;
}

function decodeToken(s: OrgState, token: unknown, operation: string, scope: string): number | string {
  const refuse = () => invalid('INVALID_NEXT_TOKEN', 'The NextToken is not valid for this request; start again without one.');
  if (typeof token !== 'string') throw refuse();
  const [body, checksum, ...rest] = token.split('.');
  if (!body || rest.length > 0 || checksum !== tokenChecksum(s, body)) throw refuse();
  let payload: Partial<TokenPayload>;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<TokenPayload>;
  } catch {
    throw refuse();
  }
  if (payload.o !== operation || payload.q !== scope || (typeof payload.a !== 'number' && typeof payload.a !== 'string')) throw refuse();
  return payload.a;
}
