import { isApprover, isSamePerson } from '../domain/approval';
import { advance, annotate, approvalKey, awaitsApproval, isCloseApproval, type Approval, type Environment } from '../domain/environment';
import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors';
import type { Deps } from './deps';
import { closeExecutionName, startClosing } from './close-steps';
import { deliverToChannels } from './deliver';

/**
 * Approvals, gated before the workflow starts: a request in a protected OU is recorded as
 * PENDING_APPROVAL and no execution exists (so no creation slot is held, and nothing runs for days).
 * A decision is one conditional write of the environment record: two approvers at once produce one
 * decision, the other is told it lost. An approval then starts the execution, which is idempotent by
 * name, so a crash between the two is made good by the next lifecycle check (or the same click again).
 *
 * Closing an environment in a protected OU is decided the same way (the approval's action is
 * `close`): the environment stays READY while it waits; a yes makes it CLOSING and starts
 * DecommissionEnvironment, a no (or nobody in time) leaves it READY, and its account open.
 */

export type ApprovalDeps = Pick<Deps, 'config' | 'clock' | 'environments' | 'workflow' | 'decommission' | 'events'>;

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
  const what = isCloseApproval(approval) ? `Closing environment ${env.id}` : `Environment ${env.id}`;
  return new ConflictError('ALREADY_DECIDED', `${what} was already ${approval.decision?.toLowerCase()} (${by}, at ${approval.decidedAt}).`, [], {
    details: { decision: decisionOf(approval) },
  });
}

/** What an outcome event says about a decision; never an email address. */
function decisionEvent(env: Environment) {
  return {
    detailType: env.approval?.decision === 'APPROVED' ? ('Environment Approved' as const) : ('Environment Rejected' as const),
    detail: {
      id: env.id,
      name: env.name,
      ou: env.ouPath ?? env.ou,
      action: env.approval?.action ?? 'create',
      status: env.status,
      requestedBy: env.requestedBy,
      requester: env.approval?.requester,
      ...decisionOf(env.approval!),
    },
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
  const closing = isCloseApproval(approval);
  if (approval.decision) {
    // An approval whose execution never started (a crash in between): starting it is safe, by name.
    if (approval.decision === 'APPROVED' && current.status === 'REQUESTED') await deps.workflow.start(current.executionName, { id: current.id });
    if (approval.decision === 'APPROVED' && closing && current.status === 'CLOSING') await deps.decommission.start(closeExecutionName(current), { id: current.id });
    throw alreadyDecided(current);
  }
  if (!awaitsApproval(current)) throw new ConflictError('NOT_AWAITING_APPROVAL', `Environment ${current.id} is ${current.status}; it does not wait for a decision.`);
  if (!isApprover(input.principal, approval.approvers)) {
    throw new ForbiddenError('NOT_AN_APPROVER', `${input.principal} is not an approver of ${current.ouPath ?? current.ou}; ask one of: ${approval.approvers.join(', ')}.`);
  }
  if (isSamePerson(input.principal, approval.requester)) {
    const what = closing ? 'asked for environment ' + current.id + ' to be closed' : 'asked for environment ' + current.id;
    throw new ForbiddenError('SELF_APPROVAL', `${input.principal} ${what}, and may not decide on their own request; ask another approver.`);
  }
  const now = deps.clock.now();
  if (now.getTime() >= Date.parse(approval.expiresAt)) {
    throw alreadyDecided((await expire(deps, current.id)).env);
  }

  const approved = input.decision === 'approve';
  let decided = false;
  const env = await deps.environments.update(current.id, (latest) => {
    decided = false;
    if (!latest.approval || !awaitsApproval(latest) || latest.approval.requestedAt !== approval.requestedAt) return undefined;
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
    const note = `${closing ? 'closing ' : ''}${approved ? 'approved' : 'rejected'} by ${input.principal} via ${input.via}${comment ? `: ${comment}` : ''}`;
    if (!closing) return advance(latest, approved ? 'REQUESTED' : 'REJECTED', now, note, { approval: record });
    // A closing rejected leaves the environment READY and its account open.
    if (!approved) return annotate({ ...latest, approval: record }, now, note);
    const reason = record.closeReason ?? 'api';
    return startClosing({ ...latest, approval: record }, { reason, ...(record.requester ? { requestedBy: record.requester } : {}), note }, now);
  });
  if (!decided) throw alreadyDecided(env);
  if (approved && closing) await deps.decommission.start(closeExecutionName(env), { id: env.id });
  else if (approved) await deps.workflow.start(env.executionName, { id: env.id });
  await deps.events.publish([decisionEvent(env)]);
  return env;
}

/**
 * Rejects what nobody decided on in time (APPROVAL_EXPIRED): a request is REJECTED, a closing is not
 * done (the environment stays READY). A decision that won the race stands.
 */
async function expire(deps: Pick<Deps, 'clock' | 'environments' | 'events'>, id: string): Promise<{ env: Environment; expired: boolean }> {
  const now = deps.clock.now();
  let expired = false;
  const env = await deps.environments.update(id, (latest) => {
    expired = false;
    if (!latest.approval || !awaitsApproval(latest) || now.getTime() < Date.parse(latest.approval.expiresAt)) return undefined;
    expired = true;
    const record: Approval = { ...latest.approval, decision: 'REJECTED', decidedAt: now.toISOString(), via: 'timeout', reason: 'APPROVAL_EXPIRED' };
    if (isCloseApproval(record)) {
      return annotate({ ...latest, approval: record }, now, `APPROVAL_EXPIRED: nobody decided on closing by ${latest.approval.expiresAt}; the account stays open; ask again to close it`);
    }
    return advance(latest, 'REJECTED', now, `APPROVAL_EXPIRED: nobody decided by ${latest.approval.expiresAt}; request it again to ask anew`, { approval: record });
  });
  if (expired) await deps.events.publish([decisionEvent(env)]);
  return { env, expired };
}

/** Asks the approvers on every channel, at most once each (the delivery records see to that). */
export async function askApprovers(deps: Pick<Deps, 'deliveries' | 'channels' | 'clock' | 'environments'>, id: string): Promise<{ asked: string[] }> {
  const env = await deps.environments.get(id);
  if (!env || !awaitsApproval(env)) return { asked: [] };
  // A closing's question is its own (the request's was delivered long ago): its key is part of the subject.
  const key = approvalKey(env);
  const outcomes = await deliverToChannels(deps, key === 'approval' ? env.id : `${env.id}.${key}`, { kind: 'approval', environment: env });
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
    if (awaitsApproval(env) && now >= Date.parse(approval.expiresAt)) {
      if ((await expire(deps, env.id)).expired) sweep.expired.push(env.id);
    } else if (awaitsApproval(env)) {
      try {
        if ((await askApprovers(deps, env.id)).asked.length) sweep.asked.push(env.id);
      } catch {
        // A channel still down: the next sweep asks again.
      }
    } else if (env.status === 'REQUESTED' && approval.decision === 'APPROVED' && approval.decidedAt && now - Date.parse(approval.decidedAt) >= START_GRACE_MS) {
      await deps.workflow.start(env.executionName, { id: env.id });
      sweep.started.push(env.id);
    }
    // An approved closing whose execution never started is CLOSING: the closings sweep starts it.
  }
  return sweep;
}
