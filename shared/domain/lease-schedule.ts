import { formatDuration } from './duration';
import type { Environment, Lease } from './environment';

/**
 * When a lease ends, which reminders are due, and what an extension does to both. Pure: the
 * lifecycle check and POST /environments/{id}/extend (shared/use-cases/leases.ts) decide with these.
 *
 * A lease's clock starts when the switch-role details are handed over (NotifyAdmin, just before
 * READY), so the ready message, the record and every view name the same end. Reminders are offsets
 * before the end (LEASE_REMINDERS, in seconds); `lease.reminded` holds those already dealt with.
 */

const ms = (seconds: number) => seconds * 1000;

/**
 * The lease with its end fixed at `now` + its length, once the environment is handed over (NOTIFYING
 * or READY), unless it has an end already (a step that runs twice moves nothing).
 */
export function startLease(env: Environment, now: Date): Environment {
  if (!env.lease || env.lease.expiresAt || (env.status !== 'NOTIFYING' && env.status !== 'READY')) return env;
  return { ...env, lease: { ...env.lease, expiresAt: new Date(now.getTime() + ms(env.lease.seconds)).toISOString() } };
}

/**
 * Offsets the person was told of already: at the start, those that would have fallen before the lease
 * began (the ready message names the end); after an extension, those already due at that moment.
 */
function toldAt(end: number, at: number, reminders: readonly number[]): number[] {
  return reminders.filter((r) => end - ms(r) <= at);
}

export interface ReminderDue {
  /** The reminder to send now (seconds before the end): when several fell due together, only the nearest. */
  send?: number;
  /** What `lease.reminded` becomes once it went out. */
  reminded: number[];
}

/**
 * The reminder due now, if any, and what `lease.reminded` becomes once it is sent. Each offset goes
 * out once, however often the check runs. When several fell due together (a sweep that did not run
 * for a while), only the nearest goes out and the others count as sent: one message, the right one.
 * Undefined when nothing changes.
 */
export function reminderDue(lease: Lease, reminders: readonly number[], now: Date): ReminderDue | undefined {
  if (!lease.expiresAt) return undefined;
  const end = Date.parse(lease.expiresAt);
  if (!Number.isFinite(end)) return undefined;
  // Never touched since the lease started: what the ready message covered counts as sent.
  const told = lease.reminded ?? toldAt(end, end - ms(lease.seconds), reminders);
  const due = reminders.filter((r) => !told.includes(r) && end - ms(r) <= now.getTime());
  if (!due.length) return lease.reminded ? undefined : { reminded: told };
  return { send: Math.min(...due), reminded: [...new Set([...told, ...due])].sort((a, b) => b - a) };
}

/** Past the end: the lease is over and the environment is to be closed. */
export function leaseExpired(lease: Lease | undefined, now: Date): boolean {
  return lease?.expiresAt !== undefined && Date.parse(lease.expiresAt) <= now.getTime();
}

/**
 * An extension by `seconds`: the new end is the later of now and the current end, plus `seconds`
 * (an environment extended after its end, before the check closed it, lives from now). Refused past
 * now + LEASE_MAX. Reminders now further from the end than their offset are armed again; those due
 * already count as told, since whoever extended it knows the new end.
 */
export function extendedLease(
  lease: Lease & { expiresAt: string },
  input: { seconds: number; now: Date; by?: string; maxSeconds: number; reminders: readonly number[] },
): { lease: Lease; note: string } | { problem: string } {
  const now = input.now.getTime();
  const from = Math.max(now, Date.parse(lease.expiresAt));
  const end = from + ms(input.seconds);
  if (end > now + ms(input.maxSeconds)) {
    const room = Math.max(0, Math.floor((now + ms(input.maxSeconds) - from) / 1000));
    return {
      problem: `would end the lease at ${new Date(end).toISOString()}, beyond LEASE_MAX (${formatDuration(input.maxSeconds)}) from now; at most ${formatDuration(room)} more can be added`,
    };
  }
  const expiresAt = new Date(end).toISOString();
  const at = input.now.toISOString();
  return {
    lease: {
      ...lease,
      expiresAt,
      reminded: toldAt(end, now, input.reminders),
      extended: [...(lease.extended ?? []), { at, ...(input.by ? { by: input.by } : {}), expiresAt }],
    },
    note: `lease extended by ${formatDuration(input.seconds)}${input.by ? ` by ${input.by}` : ''}: it ends ${expiresAt} (was ${lease.expiresAt})`,
  };
}

/**
 * Which reminder a message is: its offset and the end it reminds of, e.g. `P7D-1796000000`. After an
 * extension the same offset reminds of another end, so it is another message (delivered once again).
 */
export function reminderId(env: Pick<Environment, 'lease'>, before: number): string {
  const end = Date.parse(env.lease?.expiresAt ?? '');
  return `${formatDuration(before)}-${Number.isFinite(end) ? Math.floor(end / 1000) : 'none'}`;
}

/** What the Extend button on a Slack reminder adds (and `/env extend NAME` without a duration): a week, the issue's example. */
export const EXTEND_BUTTON_SECONDS = 7 * 86_400;
