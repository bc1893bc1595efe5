import { isApprover, isSamePerson } from '../domain/approval';
import { advance, type Approval, type Environment } from '../domain/environment';
import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors';
import type { Deps } from './deps';
import { deliverToChannels } from './deliver';

/**
 * Approvals, gated before the workflow starts: a request in a protected OU is recorded as
 * PENDING_APPROVAL and no execution exists (so no creation slot is held, and nothing runs for days).
 * A decision is one conditional write of the environment record: two approvers at once produce one
 * decision, the other is told it lost. An approval then starts the execution, which is idempotent by
 * name, so a crash between the two is made good by the next lifecycle check (or the same click again).
 */

export type ApprovalDeps = Pick<Deps, 'config' | 'clock' | 'environments' | 'workflow' | 'events'>;

export interface DecisionInput {
  id: string;
  decision: 'approve' | 'reject';
  /** The authenticated decider (shared/domain/approval.ts). */
  principal: string;
  via: 'api' | 'slack';
  comment?: string;
}

/** The decision as callers see it, in a 409 that lost to it and in events. */
export function decisionOf(approval: Approval) {
  return {
    decision: approval.decision,
    decidedBy: approval.decidedBy,
    decidedAt: approval.decidedAt,
    via: approval.via,
    ...(approval.comment ? { comment: approval.comment } : {}),
    ...(approval.reason ? { reason: approval.reason } : {}),
  };
}

function alreadyDecided(env: Environment): ConflictError {
  const approval = env.approval!;
  const by = approval.via === 'timeout' ? 'nobody decided in time' : `by ${approval.decidedBy}`;
  return new ConflictError('ALREADY_DECIDED', `Environment ${env.id} was already ${approval.decision?.toLowerCase()} (${by}, at ${approval.decidedAt}).`, [], {
    details: { decision: decisionOf(approval) },
  });
}

/** What an outcome event says about a decision; never an email address. */
function decisionEvent(env: Environment) {
  return {
    detailType: env.approval?.decision === 'APPROVED' ? ('Environment Approved' as const) : ('Environment Rejected' as const),
    detail: { id: env.id, name: env.name, ou: env.ouPath ?? env.ou, status: env.status, requestedBy: env.requestedBy, requester: env.approval?.requester, ...decisionOf(env.approval!) },
  };
}

/**
 * Records one approver's decision. Throws NotFoundError, ForbiddenError (NOT_AN_APPROVER,
 * SELF_APPROVAL), ConflictError ALREADY_DECIDED (with the first decision) or NOT_AWAITING_APPROVAL.
 */
export async function decideApproval(deps: ApprovalDeps, input: DecisionInput): Promise<Environment> {
  const current = await deps.environments.get(input.id);
  if (!current) throw new NotFoundError(`Environment ${input.id} does not exist.`);
  const approval = current.approval;
  if (!approval) throw new ConflictError('NOT_AWAITING_APPROVAL', `Environment ${current.id} did not need an approval: ${current.ouPath ?? current.ou} is not a protected OU.`);
  if (approval.decision) {
    // An approval whose execution never started (a crash in between): starting it is safe, by name.
    if (approval.decision === 'APPROVED' && current.status === 'REQUESTED') await deps.workflow.start(current.executionName, { id: current.id });
    throw alreadyDecided(current);
  }
  if (!isApprover(input.principal, approval.approvers)) {
    throw new ForbiddenError('NOT_AN_APPROVER', `${input.principal} is not an approver of ${current.ouPath ?? current.ou}; ask one of: ${approval.approvers.join(', ')}.`);
  }
  if (isSamePerson(input.principal, approval.requester)) {
    throw new ForbiddenError('SELF_APPROVAL', `${input.principal} asked for environment ${current.id}, and may not decide on their own request; ask another approver.`);
  }
  const now = deps.clock.now();
  if (now.getTime() >= Date.parse(approval.expiresAt)) {
    const expired = await expire(deps, current.id);
    throw alreadyDecided(expired ?? current);
  }

  const approved = input.decision === 'approve';
  let decided = false;
  const env = await deps.environments.update(current.id, (latest) => {
    decided = false;
    if (latest.status !== 'PENDING_APPROVAL' || !latest.approval || latest.approval.decision) return undefined;
    decided = true;
    const comment = input.comment?.trim();
    const record: Approval = {
      ...latest.approval,
      decision: approved ? 'APPROVED' : 'REJECTED',
      decidedBy: input.principal,
      decidedAt: now.toISOString(),
      via: input.via,
      ...(comment ? { comment } : {}),
      ...(approved ? {} : { reason: 'REJECTED' }),
    };
    const note = `${approved ? 'approved' : 'rejected'} by ${input.principal} via ${input.via}${comment ? `: ${comment}` : ''}`;
    return advance(latest, approved ? 'REQUESTED' : 'REJECTED', now, note, { approval: record });
  });
  if (!decided) throw alreadyDecided(env);
  if (approved) await deps.workflow.start(env.executionName, { id: env.id });
  await deps.events.publish([decisionEvent(env)]);
  return env;
}

/** Rejects a request nobody decided on in time (APPROVAL_EXPIRED); undefined when it is gone. A decision that won the race stands. */
async function expire(deps: Pick<Deps, 'clock' | 'environments' | 'events'>, id: string): Promise<Environment | undefined> {
  const now = deps.clock.now();
  let expired = false;
  const env = await deps.environments.update(id, (latest) => {
    expired = false;
    if (latest.status !== 'PENDING_APPROVAL' || !latest.approval || latest.approval.decision || now.getTime() < Date.parse(latest.approval.expiresAt)) return undefined;
    expired = true;
    const record: Approval = { ...latest.approval, decision: 'REJECTED', decidedAt: now.toISOString(), via: 'timeout', reason: 'APPROVAL_EXPIRED' };
    return advance(latest, 'REJECTED', now, `APPROVAL_EXPIRED: nobody decided by ${latest.approval.expiresAt}; request it again to ask anew`, { approval: record });
  });
  if (expired) await deps.events.publish([decisionEvent(env)]);
  return env;
}

/** Asks the approvers on every channel, at most once each (the delivery records see to that). */
export async function askApprovers(deps: Pick<Deps, 'deliveries' | 'channels' | 'clock' | 'environments'>, id: string): Promise<{ asked: string[] }> {
  const env = await deps.environments.get(id);
  if (!env || env.status !== 'PENDING_APPROVAL') return { asked: [] };
  const outcomes = await deliverToChannels(deps, env.id, { kind: 'approval', environment: env });
  const failures = outcomes.flatMap((o) => (o.outcome === 'failed' ? [o.error] : []));
  if (failures.length) throw failures[0];
  return { asked: outcomes.filter((o) => o.outcome === 'sent').map((o) => o.channel) };
}

export interface ApprovalSweep {
  expired: string[];
  asked: string[];
  started: string[];
}

/** How long after an approval its execution should have started before a sweep starts it. */
const START_GRACE_MS = 60_000;

/**
 * The approvals part of the lifecycle check: expires what nobody decided in time, asks approvers
 * who were not asked yet (an event lost, a channel down), and starts approved environments whose
 * execution never started.
 */
export async function sweepApprovals(
  deps: Pick<Deps, 'clock' | 'environments' | 'events' | 'workflow' | 'deliveries' | 'channels'>,
  /** The environments in flight, when the caller listed them already (each change re-reads its record). */
  active?: readonly Environment[],
): Promise<ApprovalSweep> {
  const sweep: ApprovalSweep = { expired: [], asked: [], started: [] };
  const now = deps.clock.now().getTime();
  for (const env of active ?? (await deps.environments.listActive())) {
    const approval = env.approval;
    if (!approval) continue;
    if (env.status === 'PENDING_APPROVAL' && now >= Date.parse(approval.expiresAt)) {
      if ((await expire(deps, env.id))?.status === 'REJECTED') sweep.expired.push(env.id);
    } else if (env.status === 'PENDING_APPROVAL') {
      try {
        if ((await askApprovers(deps, env.id)).asked.length) sweep.asked.push(env.id);
      } catch {
        // A channel still down: the next sweep asks again.
      }
    } else if (env.status === 'REQUESTED' && approval.decision === 'APPROVED' && approval.decidedAt && now - Date.parse(approval.decidedAt) >= START_GRACE_MS) {
      await deps.workflow.start(env.executionName, { id: env.id });
      sweep.started.push(env.id);
    }
  }
  return sweep;
}
