import { isFinal, type Environment } from './environment';

/**
 * Drift: how the organization differs from what Switchyard provisioned. Pure functions over a
 * snapshot of the organization and the registry's environments (the desired state).
 */

export const DRIFT_KINDS = [
  'ACCOUNT_MISPLACED',
  'ACCOUNT_SUSPENDED',
  'ACCOUNT_GONE',
  'UNMANAGED_ACCOUNT',
  'TAGS_CHANGED',
  'OU_RENAMED',
  'OU_DELETED',
  'ENVIRONMENT_STUCK',
  'ROLE_NOT_ASSUMABLE',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** A tag map where null means "not there". */
export type TagDiff = Record<string, string | null>;
export type DriftValue = string | TagDiff;

export interface Finding {
  /** Stable across checks: the same drift keeps its key (kind plus account, OU or environment). */
  key: string;
  kind: DriftKind;
  environmentId?: string;
  environmentName?: string;
  accountId?: string;
  accountName?: string;
  ouId?: string;
  expected: DriftValue;
  actual: DriftValue;
  /** One line an operator can act on. */
  fix: string;
  firstSeen: string;
  lastSeen: string;
  /** Consecutive checks that saw it. */
  checks: number;
  /** Seen on enough consecutive checks to be announced. */
  confirmed: boolean;
  /** What the check did about it, when remediation is on. */
  remediation?: { action: 'moved-back' | 'move-failed'; at: string; from: string; to: string; error?: string };
}

/** What a finding looks like before it is compared with the previous report. */
export type Observation = Omit<Finding, 'firstSeen' | 'lastSeen' | 'checks' | 'confirmed'>;

export interface SnapshotOu {
  id: string;
  name: string;
  parentId: string;
  /** Names from the root down, `Workloads/Staging`. */
  path: string;
}

export interface SnapshotAccount {
  id: string;
  name: string;
  email: string;
  status: string;
  parentId: string;
}

/** The organization as one walk saw it. */
export interface OrgSnapshot {
  rootId: string;
  ous: Map<string, SnapshotOu>;
  accounts: Map<string, SnapshotAccount>;
  /** Tags of the accounts Switchyard manages (read only for those). */
  tags: Map<string, Record<string, string>>;
  /** Accounts whose organization access role could not be assumed (only when that check is on). */
  roleProblems?: Map<string, string>;
}

/** The tags Switchyard puts on an account it provisioned; drift checks expect them to stay. */
export function managedAccountTags(env: Pick<Environment, 'tags' | 'name' | 'id' | 'requestedBy' | 'source'>): Record<string, string> {
  return {
    ...env.tags,
    'switchyard:environment': env.name,
    'switchyard:environment-id': env.id,
    'switchyard:requested-by': env.requestedBy ?? env.source,
  };
}

const CLOSED_STATUSES = new Set(['SUSPENDED', 'PENDING_CLOSURE', 'CLOSED']);

function pathLabel(path: string | undefined): string {
  return path === undefined ? '(unknown)' : path === '' ? '(root)' : path;
}

/** Where an account sits, as a path; `(root)` for the root. */
export function parentPath(snapshot: OrgSnapshot, parentId: string): string {
  if (parentId === snapshot.rootId) return '';
  return snapshot.ous.get(parentId)?.path ?? `(unknown parent ${parentId})`;
}

/** The desired state a drift check holds the organization to: READY environments with a placed account. */
export function managedEnvironments(environments: readonly Environment[]): Environment[] {
  return environments.filter((e) => e.status === 'READY' && e.accountId && e.ouId);
}

/**
 * Everything that differs, as observations. `now` and `stuckAfterSeconds` decide when a
 * non-final environment counts as stuck.
 */
export function observeDrift(environments: readonly Environment[], snapshot: OrgSnapshot, opts: { now: Date; stuckAfterSeconds: number }): Observation[] {
  const managed = managedEnvironments(environments);
  const managedOus = new Map<string, Environment[]>();
  for (const env of managed) managedOus.set(env.ouId!, [...(managedOus.get(env.ouId!) ?? []), env]);
  return [
    ...[...managedOus].flatMap(([ouId, envs]) => ouObservations(ouId, envs, snapshot)),
    ...managed.flatMap((env) => accountObservations(env, snapshot)),
    ...unmanagedAccounts(environments, managedOus, snapshot),
    ...stuckEnvironments(environments, opts),
  ].sort((a, b) => a.key.localeCompare(b.key));
}

/** An OU environments were placed in that is gone or has another path now. */
function ouObservations(ouId: string, envs: Environment[], snapshot: OrgSnapshot): Observation[] {
  const ou = snapshot.ous.get(ouId);
  // Environments placed in one OU recorded its path then; the newest record is the reference.
  const recorded = envs.filter((e) => e.ouPath !== undefined).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0]?.ouPath;
  const expectedPath = recorded ?? ouId;
  const names = envs.map((e) => e.name).join(', ');
  if (!ou) {
    return [
      {
        key: `OU_DELETED#${ouId}`,
        kind: 'OU_DELETED',
        ouId,
        expected: pathLabel(expectedPath),
        actual: '(no such OU)',
        fix: `Recreate the OU ${pathLabel(expectedPath)} and move ${names} back into it, or re-request them into an existing OU.`,
      },
    ];
  }
  if (recorded !== undefined && ou.path !== recorded) {
    return [
      {
        key: `OU_RENAMED#${ouId}`,
        kind: 'OU_RENAMED',
        ouId,
        expected: pathLabel(recorded),
        actual: pathLabel(ou.path),
        fix: `Rename the OU back to ${pathLabel(recorded)}, or accept the new path for ${names} (their grants still cover the OU by id).`,
      },
    ];
  }
  return [];
}

/** A managed environment's account: gone, closed, elsewhere, retagged, or its role not assumable. */
function accountObservations(env: Environment, snapshot: OrgSnapshot): Observation[] {
  const base = { environmentId: env.id, environmentName: env.name, accountId: env.accountId! };
  const account = snapshot.accounts.get(env.accountId!);
  if (!account) {
    return [
      {
        ...base,
        key: `ACCOUNT_GONE#${env.accountId}`,
        kind: 'ACCOUNT_GONE',
        accountName: env.name,
        expected: 'in the organization',
        actual: 'not in the organization',
        fix: `Account ${env.accountId} left the organization (or was closed more than 90 days ago): invite it back, or request ${env.name} again.`,
      },
    ];
  }
  const out: Observation[] = [];
  const named = { ...base, accountName: account.name };
  if (CLOSED_STATUSES.has(account.status)) {
    out.push({
      ...named,
      key: `ACCOUNT_SUSPENDED#${env.accountId}`,
      kind: 'ACCOUNT_SUSPENDED',
      expected: 'ACTIVE',
      actual: account.status,
      fix: `Account ${env.accountId} (${env.name}) was closed; reopen it within 90 days through AWS Support or the account's root user, or request ${env.name} again.`,
    });
  }
  if (account.parentId !== env.ouId) {
    const expected = pathLabel(env.ouPath ?? snapshot.ous.get(env.ouId!)?.path ?? env.ouId);
    out.push({
      ...named,
      key: `ACCOUNT_MISPLACED#${env.accountId}`,
      kind: 'ACCOUNT_MISPLACED',
      ouId: env.ouId!,
      expected,
      actual: pathLabel(parentPath(snapshot, account.parentId)),
      fix: `Move account ${env.accountId} (${env.name}) back to ${expected} (or set DRIFT_REMEDIATE=move-back to let the drift check do it).`,
    });
  }
  const tags = snapshot.tags.get(env.accountId!);
  if (tags) {
    const expected: TagDiff = {};
    const actual: TagDiff = {};
    for (const [key, value] of Object.entries(managedAccountTags(env))) {
      if (tags[key] === value) continue;
      expected[key] = value;
      actual[key] = tags[key] ?? null;
    }
    if (Object.keys(expected).length) {
      out.push({
        ...named,
        key: `TAGS_CHANGED#${env.accountId}`,
        kind: 'TAGS_CHANGED',
        expected,
        actual,
        fix: `Restore the tags ${Object.keys(expected).join(', ')} on account ${env.accountId}; cost reports and automation rely on them.`,
      });
    }
  }
  const roleProblem = snapshot.roleProblems?.get(env.accountId!);
  if (roleProblem) {
    out.push({
      ...named,
      key: `ROLE_NOT_ASSUMABLE#${env.accountId}`,
      kind: 'ROLE_NOT_ASSUMABLE',
      expected: 'the organization access role can be assumed',
      actual: roleProblem,
      fix: `Restore the role and its trust of the management account in ${env.accountId}; without it nobody can switch into ${env.name}.`,
    });
  }
  return out;
}

/** Accounts nobody asked Switchyard for, sitting in an OU it manages. */
function unmanagedAccounts(environments: readonly Environment[], managedOus: Map<string, Environment[]>, snapshot: OrgSnapshot): Observation[] {
  const knownAccounts = new Set(environments.map((e) => e.accountId).filter((id): id is string => !!id));
  return [...snapshot.accounts.values()]
    .filter((account) => !knownAccounts.has(account.id) && managedOus.has(account.parentId))
    .map((account) => ({
      key: `UNMANAGED_ACCOUNT#${account.id}`,
      kind: 'UNMANAGED_ACCOUNT' as const,
      accountId: account.id,
      accountName: account.name,
      ouId: account.parentId,
      expected: `only accounts Switchyard provisioned in ${pathLabel(parentPath(snapshot, account.parentId))}`,
      actual: `${account.name} (${account.id}) was not provisioned by Switchyard`,
      fix: `Move account ${account.id} out of ${pathLabel(parentPath(snapshot, account.parentId))}, or close it if nobody owns it.`,
    }));
}

/** Environments not final long after they were asked for. */
function stuckEnvironments(environments: readonly Environment[], opts: { now: Date; stuckAfterSeconds: number }): Observation[] {
  const out: Observation[] = [];
  for (const env of environments) {
    // Waiting for a person (expired at APPROVAL_TIMEOUT) or for AWS's closing quota is not stuck.
    if (isFinal(env.status) || env.status === 'PENDING_APPROVAL' || env.status === 'CLOSE_QUEUED') continue;
    // An approved request started when it was approved, a closing when it was asked for.
    const since = Date.parse((env.status === 'CLOSING' ? env.closing?.requestedAt : undefined) ?? env.approval?.decidedAt ?? env.createdAt);
    const ageSeconds = (opts.now.getTime() - since) / 1000;
    if (!Number.isFinite(ageSeconds) || ageSeconds <= opts.stuckAfterSeconds) continue;
    out.push({
      key: `ENVIRONMENT_STUCK#${env.id}`,
      kind: 'ENVIRONMENT_STUCK',
      environmentId: env.id,
      environmentName: env.name,
      ...(env.accountId ? { accountId: env.accountId } : {}),
      expected: `READY or FAILED within ${opts.stuckAfterSeconds >= 120 ? `${Math.round(opts.stuckAfterSeconds / 60)} minutes` : `${opts.stuckAfterSeconds} seconds`}`,
      actual: `${env.status} since ${new Date(since).toISOString()}`,
      fix: `Look at the Step Functions execution ${env.executionName}: if it has ended, its last step could not write the outcome; request ${env.name} again to resume it.`,
    });
  }
  return out;
}

/** Only these keep a report identical across checks; lastSeen and checks move on every time. */
function signature(f: Pick<Finding, 'expected' | 'actual'>): string {
  return JSON.stringify([f.expected, f.actual]);
}

export interface Reconciled {
  findings: Finding[];
  /** New or changed findings that are confirmed now (or were acted on): one Drift Detected each. */
  detected: Finding[];
  /** Confirmed findings of the previous report that are gone: one Drift Resolved each. */
  resolved: Finding[];
}

/**
 * Carries first-seen times and check counts over from the previous report. A finding is announced
 * once it has been seen on `confirmChecks` consecutive checks (so a move in progress pages nobody),
 * again when what it says changes, and as resolved when a confirmed finding disappears.
 */
export function reconcile(previous: readonly Finding[], observed: readonly Observation[], opts: { now: Date; confirmChecks: number }): Reconciled {
  const at = opts.now.toISOString();
  const before = new Map(previous.map((f) => [f.key, f]));
  const detected: Finding[] = [];
  const findings = observed.map((o): Finding => {
    const prior = before.get(o.key);
    const checks = (prior?.checks ?? 0) + 1;
    const confirmed = checks >= opts.confirmChecks;
    const finding: Finding = { ...o, firstSeen: prior?.firstSeen ?? at, lastSeen: at, checks, confirmed };
    const changed = !prior?.confirmed || signature(prior) !== signature(o);
    // An account moved back is news at once; a move that keeps failing is reported like any finding.
    if ((confirmed && changed) || o.remediation?.action === 'moved-back') detected.push(finding);
    return finding;
  });
  const now = new Set(observed.map((o) => o.key));
  // A finding the previous check remediated was announced then; its disappearance is the fix landing.
  const resolved = previous.filter((f) => !now.has(f.key) && (f.confirmed || f.remediation?.action === 'moved-back'));
  return { findings, detected, resolved };
}

export interface DriftReport {
  id: string;
  checkedAt: string;
  /** schedule, event (an Organizations change), api, cli, interval. */
  trigger: string;
  durationMs: number;
  /** Organizations API calls the check made (every page and retry). */
  apiCalls: number;
  /** The fewest calls any full walk of this organization can make. */
  floorCalls: number;
  organization: { accounts: number; ous: number };
  environmentsChecked: number;
  findings: Finding[];
  counts: { total: number; confirmed: number; pending: number; byKind: Partial<Record<DriftKind, number>> };
  /** Keys of the findings announced by this check. */
  detected: string[];
  resolved: Finding[];
  /** Findings beyond what one stored report holds; their counts are still in `counts`. */
  omitted?: number;
}

/** Organizations lists at most 20 items a page. */
export const ORGANIZATIONS_PAGE = 20;

/**
 * The fewest Organizations calls a full walk can make: ListRoots, then for the root and every OU
 * at least one page of child OUs and at least one page of accounts (20 items a page).
 */
export function floorCalls(snapshot: Pick<OrgSnapshot, 'rootId' | 'ous' | 'accounts'>): number {
  const childOus = new Map<string, number>();
  const accounts = new Map<string, number>();
  for (const ou of snapshot.ous.values()) childOus.set(ou.parentId, (childOus.get(ou.parentId) ?? 0) + 1);
  for (const a of snapshot.accounts.values()) accounts.set(a.parentId, (accounts.get(a.parentId) ?? 0) + 1);
  const pages = (n: number) => Math.max(1, Math.ceil(n / ORGANIZATIONS_PAGE));
  let calls = 1;
  for (const parent of [snapshot.rootId, ...snapshot.ous.keys()]) calls += pages(childOus.get(parent) ?? 0) + pages(accounts.get(parent) ?? 0);
  return calls;
}

export function countFindings(findings: readonly Finding[]): DriftReport['counts'] {
  const byKind: Partial<Record<DriftKind, number>> = {};
  for (const f of findings) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
  const confirmed = findings.filter((f) => f.confirmed).length;
  return { total: findings.length, confirmed, pending: findings.length - confirmed, byKind };
}

/** One line per finding, for the CLI, email and Slack. */
export function describeFinding(f: Finding): string {
  const who = f.accountId ? `${f.accountName ?? f.environmentName ?? ''} (${f.accountId})`.trim() : (f.environmentName ?? f.ouId ?? '');
  const show = (v: DriftValue) => (typeof v === 'string' ? v : Object.entries(v).map(([k, val]) => `${k}=${val ?? '(none)'}`).join(', '));
  const done = !f.remediation
    ? ''
    : f.remediation.action === 'moved-back'
      ? ` — moved back from ${pathLabel(f.remediation.from)} to ${pathLabel(f.remediation.to)}`
      : ` — moving it back failed: ${f.remediation.error ?? 'unknown error'}`;
  return `${f.kind} ${who}: expected ${show(f.expected)}, actual ${show(f.actual)}${done}`;
}
