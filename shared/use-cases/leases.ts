import { uncertainDeliveryNote } from '../domain/delivery';
import { formatDuration, parseDuration } from '../domain/duration';
import { annotate, awaitsApproval, type Environment } from '../domain/environment';
import { ConflictError, InvalidInputError, NotFoundError, NotReadyError } from '../domain/errors';
import { extendedLease, leaseExpired, reminderDue, reminderId } from '../domain/lease-schedule';
import type { Config } from '../lambda/config';
import type { Notification } from '../ports';
import { requestClose, type CloseApprovalSettings } from './close-steps';
import { sendOnce, type DeliveryOutcome } from './deliver';
import type { Deps } from './deps';

/**
 * Leases: the reminders before an environment's lease ends, the closing when it has ended (the
 * lifecycle check, sweepLeases), and an extension (POST /environments/{id}/extend, and the Slack
 * Extend button through extendLease). The rules are pure, in shared/domain/lease-schedule.ts.
 */

export type LeaseSettings = Pick<Config, 'LEASE_REMINDERS' | 'LEASE_MAX'>;

export type LeaseSweepDeps = Pick<Deps, 'clock' | 'environments' | 'decommission' | 'deliveries' | 'channels' | 'events'> & { config: Pick<Config, 'LEASE_REMINDERS'> & CloseApprovalSettings };

export interface LeaseSweep {
  /** Environments sent a reminder by this check. */
  reminded: string[];
  /** Environments whose lease had ended and whose closing this check started. */
  expired: string[];
  /** Environments this check could not deal with (a channel down, the closing refused): the next check tries again. */
  failed: string[];
}

/** The kind a reminder's delivery records go under: its offset and the end it reminds of, so each goes out once per end. */
function reminderKind(env: Environment, before: number): string {
  return `lease-reminder-${reminderId(env, before)}`;
}

/** One reminder on every channel, each at most once (a delivery record is claimed before each send). */
async function sendReminder(deps: Pick<Deps, 'deliveries' | 'channels' | 'clock'>, env: Environment, before: number): Promise<DeliveryOutcome[]> {
  const notification: Notification = { kind: 'lease-reminder', environment: env, before };
  const outcomes: DeliveryOutcome[] = [];
  for (const channel of deps.channels) {
    const key = { subject: env.id, kind: reminderKind(env, before), channel: channel.name };
    outcomes.push(await sendOnce(deps.deliveries, key, () => deps.clock.now(), () => channel.send(notification)));
  }
  return outcomes;
}

/**
 * The leases part of the lifecycle check. For each READY environment with a lease (one query of the
 * sparse index, never every environment): past its end, its closing is requested (reason `lease`);
 * before it, each LEASE_REMINDERS offset that has come is sent once and recorded in `lease.reminded`,
 * however often the check runs. A reminder some channel could not take is recorded only once every
 * channel has it, so the next check sends it where it is missing (and only there).
 */
export async function sweepLeases(deps: LeaseSweepDeps): Promise<LeaseSweep> {
  const sweep: LeaseSweep = { reminded: [], expired: [], failed: [] };
  for (const listed of await deps.environments.listLeased()) {
    try {
      const outcome = await sweepOne(deps, listed);
      if (outcome) sweep[outcome].push(listed.id);
    } catch {
      sweep.failed.push(listed.id);
    }
  }
  return sweep;
}

async function sweepOne(deps: LeaseSweepDeps, listed: Environment): Promise<'reminded' | 'expired' | 'failed' | undefined> {
  const now = deps.clock.now();
  if (listed.status !== 'READY' || !listed.lease?.expiresAt) return undefined;
  if (leaseExpired(listed.lease, now)) {
    // Read again just before: an extension a moment ago keeps it open.
    const latest = await deps.environments.get(listed.id);
    if (!latest || latest.status !== 'READY' || !leaseExpired(latest.lease, now)) return undefined;
    // In a protected OU an approver said no to closing at this end (or nobody decided): it stays open until extended and ending again, or closed by hand.
    if (closingDeclined(latest)) return undefined;
    const closing = await requestClose(deps, { id: latest.id, reason: 'lease' });
    return closing.status === 'READY' ? undefined : 'expired';
  }
  const due = reminderDue(listed.lease, deps.config.LEASE_REMINDERS, now);
  if (!due) return undefined;
  const expiresAt = listed.lease.expiresAt;
  let notes: string[] = [];
  if (due.send !== undefined) {
    const outcomes = await sendReminder(deps, listed, due.send);
    if (outcomes.some((o) => o.outcome === 'failed')) return 'failed';
    const sent = outcomes.filter((o) => o.outcome === 'sent').map((o) => o.channel);
    notes = [
      `lease reminder ${formatDuration(due.send)} before the end (${expiresAt})${sent.length ? `: sent on ${sent.join(', ')}` : ''}`,
      ...outcomes.flatMap((o) => (o.outcome === 'unknown' ? [uncertainDeliveryNote('lease reminder', o.channel, o.error)] : [])),
    ];
  }
  await deps.environments.update(listed.id, (current) => {
    // Extended meanwhile: the reminders were armed again for the new end; this one is not recorded.
    if (current.status !== 'READY' || !current.lease || current.lease.expiresAt !== expiresAt) return undefined;
    const recorded: Environment = { ...current, lease: { ...current.lease, reminded: due.reminded } };
    return notes.reduce<Environment>((next, note) => annotate(next, now, note), recorded);
  });
  return due.send !== undefined ? 'reminded' : undefined;
}

/** Whether closing this environment at its lease's current end was asked and not approved. */
function closingDeclined(env: Environment): boolean {
  const approval = env.approval;
  return Boolean(
    approval?.action === 'close' && approval.closeReason === 'lease' && approval.decision === 'REJECTED' && env.lease?.expiresAt && Date.parse(approval.requestedAt) >= Date.parse(env.lease.expiresAt),
  );
}

export type ExtendDeps = Pick<Deps, 'clock' | 'environments' | 'events'> & { config: LeaseSettings };

export interface ExtendInput {
  id: string;
  /** How much longer: an ISO 8601 duration (`P7D`), or seconds. */
  ttl: string | number;
  /** Who extended it: an IAM principal ARN, a Slack user id, `local:NAME`. */
  by?: string;
}

/** The ttl of an extension in whole seconds, or a 400 naming `ttl`. */
function extensionSeconds(ttl: unknown): number {
  const refuse = (message: string) => new InvalidInputError(`ttl ${message}.`, [{ field: 'ttl', message }]);
  if (typeof ttl !== 'string' && typeof ttl !== 'number') throw refuse('must be an ISO 8601 duration such as P7D');
  const seconds = typeof ttl === 'number' ? ttl : ttl.length > 32 ? 'must be at most 32 characters' : parseDuration(ttl);
  if (typeof seconds === 'string') throw refuse(seconds);
  if (!Number.isInteger(seconds)) throw refuse('must be a whole number of seconds');
  // The minimum is for a lease's length; an extension adds to one that already has it.
  if (seconds <= 0) throw refuse('must be longer than zero');
  return seconds;
}

/**
 * Extends a READY environment's lease: the new end is the later of now and the current end, plus
 * `ttl`, and at most LEASE_MAX from now (400 naming `ttl` beyond it). Reminders that are now further
 * from the end than their offset go out again when they come. Recorded in `lease.extended` and the
 * timeline; `Environment Lease Extended` on the bus. 404 for no environment; 409 NOT_LEASED for one
 * without a lease, NOT_READY for one that is not READY (still provisioning, or closing).
 */
export async function extendLease(deps: ExtendDeps, input: ExtendInput): Promise<Environment> {
  const seconds = extensionSeconds(input.ttl);
  const current = await deps.environments.get(input.id);
  if (!current) throw new NotFoundError(`Environment ${input.id} does not exist.`);
  const refusal = notExtendable(current);
  if (refusal) throw refusal;
  const now = deps.clock.now();
  let previous: string | undefined;
  let refused: Error | undefined;
  const env = await deps.environments.update(current.id, (latest) => {
    previous = undefined;
    refused = notExtendable(latest);
    if (refused) return undefined;
    const lease = latest.lease as NonNullable<Environment['lease']> & { expiresAt: string };
    const extended = extendedLease(lease, { seconds, now, by: input.by, maxSeconds: deps.config.LEASE_MAX, reminders: deps.config.LEASE_REMINDERS });
    if ('problem' in extended) {
      refused = new InvalidInputError(`ttl ${extended.problem}.`, [{ field: 'ttl', message: extended.problem }]);
      return undefined;
    }
    previous = lease.expiresAt;
    const next = annotate({ ...latest, lease: extended.lease }, now, extended.note);
    // A closing waiting for approval because the lease ended has no reason left once it is extended.
    if (!awaitsApproval(latest) || latest.approval?.closeReason !== 'lease') return next;
    const withdrawn = { ...latest.approval, decision: 'REJECTED' as const, decidedAt: now.toISOString(), ...(input.by ? { decidedBy: input.by } : {}), via: 'extension', reason: 'LEASE_EXTENDED' };
    return annotate({ ...next, approval: withdrawn }, now, 'the closing that waited for approval is withdrawn: the lease was extended');
  });
  if (refused) throw refused;
  await deps.events.publish([
    {
      detailType: 'Environment Lease Extended',
      detail: {
        id: env.id,
        name: env.name,
        accountId: env.accountId,
        ou: env.ouPath ?? env.ou,
        expiresAt: env.lease?.expiresAt,
        previousExpiresAt: previous,
        extendedBySeconds: seconds,
        ...(input.by ? { extendedBy: input.by } : {}),
      },
    },
  ]);
  return env;
}

/** Why an environment's lease cannot be extended now, as the error to answer with; undefined when it can. */
function notExtendable(env: Environment): Error | undefined {
  if (!env.lease) {
    return new ConflictError('NOT_LEASED', `Environment ${env.id} has no lease: it was requested without a ttl, and its OU has no LEASE_DEFAULTS entry, so it never ends.`);
  }
  if (env.status !== 'READY' || !env.lease.expiresAt) {
    return new NotReadyError(`Environment ${env.id} is ${env.status}: only a READY environment's lease can be extended${env.status === 'CLOSED' || env.status === 'CLOSING' || env.status === 'CLOSE_QUEUED' ? ' (it is being closed, or closed)' : ''}.`);
  }
  return undefined;
}
