import type { CloseAccountRequest } from '@aws-sdk/client-organizations';
import { existingAccount } from './accounts';
import { requiredString, SimulatedAwsError } from './errors';
import type { AccountRecord, OrgState } from './state';

/**
 * How accounts are closed, as AWS does it: CloseAccount (in the API, or in the console by hand)
 * turns an ACTIVE member account PENDING_CLOSURE; `closeSeconds` later settleClosings makes it
 * SUSPENDED, and 90 days after it was closed it leaves the organization for good. Until then it
 * stays in the organization and counts toward the account quota. AWS limits closings two ways:
 * a rolling quota over 30 days (CLOSE_ACCOUNT_QUOTA_EXCEEDED) and a few at once
 * (CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED).
 */

const DAY_MS = 24 * 60 * 60 * 1000;
/** The rolling window of the closing quota. */
export const CLOSE_QUOTA_WINDOW_MS = 30 * DAY_MS;
/** A closed account leaves the organization this long after it was closed. */
export const CLOSED_ACCOUNT_KEPT_MS = 90 * DAY_MS;
/**
 * CloseAccount's API reference: 10% of the member accounts (every account but the management
 * account, closed ones included), at least 10 and at most 1,000, within a rolling 30 days. The user
 * guide (and newer API references) have raised it since, which is why the quota is a setting.
 */
export const CLOSE_QUOTA_RULE = { share: 0.1, min: 10, max: 1000 } as const;
/** AWS does not publish how many closings may run at once; the default of maxConcurrentCloses. */
export const DEFAULT_MAX_CONCURRENT_CLOSES = 3;

/** The closings the organization allows within a rolling 30 days now. */
export function closeQuota(s: OrgState): number {
  const setting = s.settings.closeQuota ?? 'default';
  if (setting !== 'default') return setting;
  const members = s.accounts.filter((a) => a.id !== s.managementAccountId).length;
  return Math.min(CLOSE_QUOTA_RULE.max, Math.max(CLOSE_QUOTA_RULE.min, Math.floor(members * CLOSE_QUOTA_RULE.share)));
}

function maxConcurrentCloses(s: OrgState): number {
  return s.settings.maxConcurrentCloses ?? DEFAULT_MAX_CONCURRENT_CLOSES;
}

export function pendingClosures(s: OrgState): number {
  return s.accounts.filter((a) => a.status === 'PENDING_CLOSURE').length;
}

/** The closings that count against the quota at `now` (those of the last 30 days), oldest first. */
function closingsInWindow(s: OrgState, now: Date): number[] {
  const since = now.getTime() - CLOSE_QUOTA_WINDOW_MS;
  return (s.closings ?? [])
    .map((c) => Date.parse(c.at))
    .filter((at) => at > since)
    .sort((a, b) => a - b);
}

/** When a closed account leaves the organization (never for one closed before closings were dated). */
export function closedFor(a: AccountRecord): number {
  return a.closedAt ? Date.parse(a.closedAt) + CLOSED_ACCOUNT_KEPT_MS : Number.POSITIVE_INFINITY;
}

function suspendedBy(a: AccountRecord): number {
  return a.suspendsAt ? Date.parse(a.suspendsAt) : a.closedAt ? Date.parse(a.closedAt) : 0;
}

/** Whether a closing has come due: an account to suspend, or one closed 90 days ago to let go. */
export function closingDue(s: OrgState, now: Date): boolean {
  const time = now.getTime();
  return s.accounts.some((a) => (a.status === 'PENDING_CLOSURE' && suspendedBy(a) <= time) || (a.status === 'SUSPENDED' && closedFor(a) <= time));
}

/**
 * Ends every closing whose time has come, in the order they come due: PENDING_CLOSURE accounts
 * become SUSPENDED, and accounts closed 90 days ago leave the organization. Returns both, for
 * CloudTrail's records; the closing log keeps only what the quota's window still needs.
 */
export function settleClosings(s: OrgState, now: Date): { suspended: AccountRecord[]; departed: AccountRecord[] } {
  const time = now.getTime();
  const suspended = s.accounts
    .filter((a) => a.status === 'PENDING_CLOSURE' && suspendedBy(a) <= time)
    .sort((a, b) => suspendedBy(a) - suspendedBy(b) || a.seq - b.seq);
  for (const account of suspended) account.status = 'SUSPENDED';
  const departed = s.accounts.filter((a) => a.status === 'SUSPENDED' && closedFor(a) <= time);
  if (departed.length > 0) s.accounts = s.accounts.filter((a) => !departed.includes(a));
  return { suspended, departed };
}

// ---- AWS operations (and the console's Close account, which is the same request) ----------------

/** CloseAccount: the account goes PENDING_CLOSURE now, SUSPENDED `closeSeconds` later. */
export function closeAccount(s: OrgState, input: CloseAccountRequest, now: Date): AccountRecord {
  const accountId = requiredString(input.AccountId, 'AccountId');
  const record = existingAccount(s, accountId);
  if (record.id === s.managementAccountId) {
    throw new SimulatedAwsError(
      'ConstraintViolationException',
      `Account ${accountId} is the management account; CloseAccount cannot close it. Remove or close every member account first, then close it as a standalone account.`,
      { Reason: 'CANNOT_CLOSE_MANAGEMENT_ACCOUNT' },
    );
  }
  if (record.status !== 'ACTIVE') {
    throw new SimulatedAwsError('AccountAlreadyClosedException', `You attempted to close an account that is already closed: ${accountId} is ${record.status}.`);
  }
  const quota = closeQuota(s);
  const window = closingsInWindow(s, now);
  if (window.length >= quota) {
    // The oldest closings leave the window first; this many must leave before one more fits.
    const freedAt = window[window.length - quota];
    const next = freedAt === undefined ? '' : ` The next closing is possible from ${new Date(freedAt + CLOSE_QUOTA_WINDOW_MS).toISOString()}.`;
    throw new SimulatedAwsError(
      'ConstraintViolationException',
      `You have exceeded close account quota for the past 30 days: ${window.length} accounts closed, of at most ${quota}.${next}`,
      { Reason: 'CLOSE_ACCOUNT_QUOTA_EXCEEDED' },
    );
  }
  const pending = pendingClosures(s);
  if (pending >= maxConcurrentCloses(s)) {
    throw new SimulatedAwsError(
      'ConstraintViolationException',
      `You attempted to exceed the number of accounts that you can close at a time: ${pending} closings are in progress, of at most ${maxConcurrentCloses(s)}. Try again when one has finished.`,
      { Reason: 'CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED' },
    );
  }
  const closedAt = now.toISOString();
  record.status = 'PENDING_CLOSURE';
  record.closedAt = closedAt;
  record.suspendsAt = new Date(now.getTime() + (s.settings.closeSeconds ?? 0) * 1000).toISOString();
  const since = now.getTime() - CLOSE_QUOTA_WINDOW_MS;
  s.closings = [...(s.closings ?? []).filter((c) => Date.parse(c.at) > since), { accountId, at: closedAt }];
  return record;
}
