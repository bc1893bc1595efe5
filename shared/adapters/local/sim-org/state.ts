import type { CreateAccountState } from '@aws-sdk/client-organizations';
import type { IamState } from '../sim-iam';
import { accountNumber, alnum } from './ids';
import type { SimulatedOrganizationStats } from './stats';
import type { TrailState } from './trail';
import type { UxcState } from './uxc';

/**
 * The whole simulated organization as one plain JSON value: what the file holds, what every
 * operation reads and changes. Records carry a `seq` so that lists come out in creation order and a
 * page token can remember where it stopped. A file an older version wrote is checked (and, when its
 * shape changes, brought up to date) in parseState.
 */

export const FORMAT = 'switchyard-simulated-organization/1';

export type SimAccountStatus = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';

export interface SimSettings {
  /** The median time a creation stays IN_PROGRESS. */
  createSeconds: number;
  /**
   * How much creation times vary: the sigma of a log-normal around createSeconds. 0 (or absent, in
   * files written before it existed) is exactly createSeconds every time.
   */
  createSpread?: number;
  accountQuota: number;
  maxConcurrentCreates: number;
  /** Seconds after creation before the account's organization access role can be assumed. */
  roleDelaySeconds?: number;
  /**
   * How long a closing stays PENDING_CLOSURE before the account is SUSPENDED. Absent in files
   * written before CloseAccount was simulated: 0.
   */
  closeSeconds?: number;
  /**
   * Closings allowed within a rolling 30 days (CLOSE_ACCOUNT_QUOTA_EXCEEDED beyond it): a number, or
   * 'default' (also when absent) for the API reference's rule, CLOSE_QUOTA_RULE.
   */
  closeQuota?: number | 'default';
  /** Closings allowed PENDING_CLOSURE at once (CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED beyond it). Absent: 3. */
  maxConcurrentCloses?: number;
}

export const DEFAULT_SETTINGS: SimSettings = {
  createSeconds: 0,
  accountQuota: 10,
  maxConcurrentCreates: 5,
  closeSeconds: 0,
  closeQuota: 'default',
  maxConcurrentCloses: 3,
};

export interface AccountRecord {
  seq: number;
  id: string;
  name: string;
  email: string;
  status: SimAccountStatus;
  joinedMethod: 'CREATED' | 'INVITED';
  joinedAt: string;
  parentId: string;
  tags: Record<string, string>;
  /** When CloseAccount was accepted: PENDING_CLOSURE from then; the account leaves the organization 90 days later. */
  closedAt?: string;
  /** When the closing ends and the account is SUSPENDED (closedAt + closeSeconds, fixed when it was accepted). */
  suspendsAt?: string;
}

/** A CloseAccount the organization accepted, kept for the rolling quota (closing.ts) while within its window. */
export interface ClosingRecord {
  accountId: string;
  at: string;
}

export interface OuRecord {
  seq: number;
  id: string;
  name: string;
  parentId: string;
  tags: Record<string, string>;
}

export interface CreateRequestRecord {
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

export interface OrgState {
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
  /** Closings of the last 30 days, for the rolling quota; absent in files written before CloseAccount was simulated. */
  closings?: ClosingRecord[];
  stats: SimulatedOrganizationStats;
  /** Absent in files written before grants and aliases were simulated. */
  iam?: IamState;
  /** CloudTrail's records of changes (trail.ts); absent in files written before they were kept. */
  trail?: TrailState;
  /** Each account's console colour (uxc.ts); absent in files written before colours were simulated. */
  uxc?: UxcState;
}

/** The settings a caller asked for, checked; those left out keep what the organization has. */
export function explicitSettings(options: Partial<SimSettings>): Partial<SimSettings> {
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
  if (options.createSpread !== undefined) {
    // At sigma 3 one creation in six already takes twenty times the median or more; beyond it is a mistake (seconds given as a spread), not a setting.
    if (!Number.isFinite(options.createSpread) || options.createSpread < 0 || options.createSpread > 3) {
      throw new RangeError(`createSpread is the log-normal's sigma around createSeconds, from 0 to 3; 0.5 puts half the creations within ×0.71–×1.4 of it (got ${options.createSpread}).`);
    }
    settings.createSpread = options.createSpread;
  }
  if (options.accountQuota !== undefined) {
    if (!Number.isInteger(options.accountQuota) || options.accountQuota < 1) {
      throw new RangeError(`accountQuota must be a whole number, 1 or more (got ${options.accountQuota}).`);
    }
    settings.accountQuota = options.accountQuota;
  }
  if (options.closeSeconds !== undefined) {
    if (!Number.isFinite(options.closeSeconds) || options.closeSeconds < 0) {
      throw new RangeError(`closeSeconds must be a number of seconds, 0 or more (got ${options.closeSeconds}).`);
    }
    settings.closeSeconds = options.closeSeconds;
  }
  if (options.closeQuota !== undefined) {
    if (options.closeQuota !== 'default' && (!Number.isInteger(options.closeQuota) || options.closeQuota < 0)) {
      throw new RangeError(`closeQuota must be a whole number of closings per 30 days, 0 or more, or 'default' for AWS's rule (got ${String(options.closeQuota)}).`);
    }
    settings.closeQuota = options.closeQuota;
  }
  if (options.maxConcurrentCloses !== undefined) {
    if (!Number.isInteger(options.maxConcurrentCloses) || options.maxConcurrentCloses < 1) {
      throw new RangeError(`maxConcurrentCloses must be a whole number, 1 or more (got ${options.maxConcurrentCloses}).`);
    }
    settings.maxConcurrentCloses = options.maxConcurrentCloses;
  }
  if (options.maxConcurrentCreates !== undefined) {
    if (!Number.isInteger(options.maxConcurrentCreates) || options.maxConcurrentCreates < 1) {
      throw new RangeError(`maxConcurrentCreates must be a whole number, 1 or more (got ${options.maxConcurrentCreates}).`);
    }
    settings.maxConcurrentCreates = options.maxConcurrentCreates;
  }
  return settings;
}

/** A fresh organization: a root and the management account in it. */
export function newState(settings: SimSettings, now: Date): OrgState {
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

/**
 * The state in a file's text. Fields added since FORMAT was introduced are optional in OrgState
 * (`iam`, `uxc`, `closings`, `settings.roleDelaySeconds`, `settings.createSpread`, the closing settings,
 * `stats.faultsInjected`, an account's `closedAt`), so older files load as they are.
 */
export function parseState(text: string, path: string): OrgState {
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
