/**
 * How many accounts Organizations lets an organization close: CloseAccount's API reference allows
 * 10% of member accounts, at least 10 and at most 1,000, within a rolling 30 days. AWS has revised
 * the number since (the user guide and newer SDKs say more), so CLOSE_QUOTA sets it: `default` is the
 * API reference's rule, a number fixes it. A closing AWS refuses for its quota is never a failure:
 * the environment waits as CLOSE_QUEUED until the window has room.
 */

export const CLOSE_WINDOW_MS = 30 * 24 * 3600 * 1000;

export type CloseQuota = { kind: 'rule' } | { kind: 'fixed'; accounts: number };

export function parseCloseQuota(value: string): CloseQuota | string {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'default') return { kind: 'rule' };
  if (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 100_000) return { kind: 'fixed', accounts: Number(v) };
  return 'must be default (10% of member accounts, at least 10, at most 1,000) or a whole number of accounts';
}

/** Closings allowed in a rolling 30 days for an organization of `memberAccounts` (every account but the management account). */
export function closeQuota(quota: CloseQuota, memberAccounts: number): number {
  if (quota.kind === 'fixed') return quota.accounts;
  return Math.min(1000, Math.max(10, Math.floor(memberAccounts / 10)));
}

/**
 * Whether one more closing fits at `now`, given the times of the closings in the window, and if not,
 * the earliest time it will (when the oldest closing in the window leaves it).
 */
export function closeSlot(closedAt: readonly string[], quota: number, now: Date): { fits: true } | { fits: false; notBefore: string } {
  const inWindow = closedAt.map(Date.parse).filter((t) => now.getTime() - t < CLOSE_WINDOW_MS).sort((a, b) => a - b);
  if (inWindow.length < quota) return { fits: true };
  // The (n - quota + 1)th oldest must leave before one more fits.
  const leaving = inWindow[inWindow.length - quota]!;
  return { fits: false, notBefore: new Date(leaving + CLOSE_WINDOW_MS).toISOString() };
}
