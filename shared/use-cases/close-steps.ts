import { closeQuota } from '../domain/close-quota';
import { protectedBy } from '../domain/approval';
import { advance, annotate, awaitsApproval, CLOSING_STATUSES, type Approval, type Environment } from '../domain/environment';
import { EnvironmentStateError, NotClosableError, NotFoundError } from '../domain/errors';
import type { Config } from '../lambda/config';
import type { Deps } from './deps';
import { deliverToChannels } from './deliver';
import { publishApprovalRequested } from './approval-events';
import { ouChain } from './handoff-steps';
import { ENVIRONMENT_TAG } from './provision-steps';
import { resolveOu } from './resolve-ou';

/**
 * Closing an environment's account: DecommissionEnvironment's steps (BeginClose, PrepareClose,
 * CloseAccount, CheckClosure, RecordClosed, RecordCloseFailure) and the request that starts it.
 * Each step loads the environment, does one thing, records it, and is safe to run again.
 */

/** Tag put on an account Switchyard closes, with the time. */
export const CLOSED_AT_TAG = 'switchyard:closed-at';
/** After CloseAccount, how soon to look, and how often at most. */
const CLOSURE_POLL_SECONDS = 5;
const CLOSURE_POLL_MAX_SECONDS = 60;
/** AWS refused for its own quota although the window had room (its number is not ours): wait this long. */
const AWS_QUOTA_RETRY_MS = 24 * 3600 * 1000;

export type CloseReason = 'lease' | 'api' | 'slack';
export type CloseSettings = Pick<Config, 'CLOSE_QUOTA' | 'CLOSED_OU'>;
export type CloseApprovalSettings = Pick<Config, 'APPROVAL_OUS' | 'APPROVERS' | 'APPROVAL_TIMEOUT'>;

/** The execution name of a closing attempt: one per attempt, since a finished execution's name cannot start again. */
export function closeExecutionName(env: Pick<Environment, 'id' | 'closing'>): string {
  return `${env.id}-close-${env.closing?.attempt ?? 1}`;
}

async function load(deps: Pick<Deps, 'environments'>, id: string): Promise<Environment> {
  const env = await deps.environments.get(id);
  if (!env) throw new EnvironmentStateError(`Environment ${id} is not in the registry.`);
  return env;
}

/**
 * Asks for an environment to be closed (DELETE, Slack, an expired lease): CLOSING, then the
 * DecommissionEnvironment execution. Asking again while it closes answers with the same environment.
 * In a protected OU (APPROVAL_OUS) the closing waits for an approver like a creation does: the
 * environment stays READY with a pending close approval, and the approvers are asked; a yes
 * (decideApproval) starts the closing.
 */
export async function requestClose(
  deps: Pick<Deps, 'environments' | 'decommission' | 'clock' | 'events'> & { config: CloseApprovalSettings },
  input: { id: string; reason: CloseReason; requestedBy?: string },
): Promise<Environment> {
  const current = await deps.environments.get(input.id);
  if (!current) throw new NotFoundError(`Environment ${input.id} does not exist.`);
  if (CLOSING_STATUSES.includes(current.status) || current.status === 'CLOSED' || awaitsApproval(current)) return current;
  const retry = current.status === 'FAILED' && current.closing !== undefined;
  if ((current.status !== 'READY' && !retry) || !current.accountId) {
    throw new NotClosableError(
      `Environment ${current.id} is ${current.status}${current.accountId ? '' : ' without an account'}: only a READY environment's account can be closed.`,
    );
  }
  const now = deps.clock.now();
  // A retry after a failed closing was approved already (or needed none).
  const protectedOu = retry ? undefined : protectedBy(current.ouPath ?? current.ou, deps.config.APPROVAL_OUS);
  if (protectedOu) return askToClose(deps, current.id, protectedOu, input, now);
  const env = await deps.environments.update(current.id, (latest) => {
    if (latest.status !== 'READY' && !(latest.status === 'FAILED' && latest.closing)) return undefined;
    return startClosing(latest, { reason: input.reason, ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}) }, now);
  });
  if (env.status !== 'CLOSING') return env;
  await deps.decommission.start(closeExecutionName(env), { id: env.id });
  return env;
}

/** READY (or FAILED while closing) → CLOSING, with the closing's next attempt recorded. */
export function startClosing(latest: Environment, by: { reason: CloseReason; requestedBy?: string; note?: string }, now: Date): Environment {
  const closing = {
    reason: by.reason,
    requestedAt: now.toISOString(),
    ...(by.requestedBy ? { requestedBy: by.requestedBy } : {}),
    attempt: (latest.closing?.attempt ?? 0) + 1,
  };
  const note = by.note ?? `closing requested (${by.reason}${by.requestedBy ? ` by ${by.requestedBy}` : ''})`;
  // A closing that failed is taken up again from where it stood.
  const from = latest.status === 'FAILED' ? { ...latest, status: 'READY' as const, failure: undefined } : latest;
  return advance(from, 'CLOSING', now, note, { closing });
}

/**
 * Records a pending close approval on a READY environment in a protected OU and asks the approvers
 * (an `Environment Approval Requested` event; the lifecycle check asks again when it was lost).
 */
async function askToClose(
  deps: Pick<Deps, 'environments' | 'events'> & { config: CloseApprovalSettings },
  id: string,
  ou: string,
  input: { reason: CloseReason; requestedBy?: string },
  now: Date,
): Promise<Environment> {
  let asked = false;
  const env = await deps.environments.update(id, (latest) => {
    asked = false;
    if (latest.status !== 'READY' || awaitsApproval(latest)) return undefined;
    asked = true;
    const approval: Approval = {
      action: 'close',
      closeReason: input.reason,
      ou,
      ...(input.requestedBy ? { requester: input.requestedBy } : {}),
      approvers: [...deps.config.APPROVERS],
      requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + deps.config.APPROVAL_TIMEOUT * 1000).toISOString(),
    };
    const why = input.reason === 'lease' ? 'its lease ended' : `asked via ${input.reason}${input.requestedBy ? ` by ${input.requestedBy}` : ''}`;
    return annotate({ ...latest, approval }, now, `closing waits for approval (${why}): ${ou} is protected; ${approval.approvers.join(', ')} may decide until ${approval.expiresAt}`);
  });
  if (asked) await publishApprovalRequested(deps, env);
  return env;
}

/**
 * BeginClose: confirms the account is one Switchyard created (its tag) and not the management
 * account, then takes a place in the closing quota's window; without one the environment waits as
 * CLOSE_QUEUED and the lifecycle check starts the next attempt at `notBefore`.
 */
export async function beginCloseStep(
  deps: Pick<Deps, 'environments' | 'organization' | 'organizationIndex' | 'closingWindow' | 'clock'> & { config: CloseSettings },
  input: { id: string },
): Promise<{ queued: boolean; notBefore?: string }> {
  const env = await load(deps, input.id);
  if (env.status === 'CLOSED') return { queued: false };
  if (!CLOSING_STATUSES.includes(env.status) || !env.accountId) throw new EnvironmentStateError(`Environment ${env.id} is ${env.status}, not closing.`);
  const accountId = env.accountId;
  if (accountId === (await deps.organization.managementAccountId())) throw new NotClosableError(`Account ${accountId} is the organization's management account; Switchyard never closes it.`);
  const tags = await deps.organization.listTags(accountId);
  if (tags[ENVIRONMENT_TAG] !== env.id) {
    throw new NotClosableError(`Account ${accountId} does not carry ${ENVIRONMENT_TAG}=${env.id}: Switchyard closes only accounts it created for this environment.`);
  }
  const now = deps.clock.now();
  const members = Math.max(0, (await deps.organizationIndex.summary()).accounts - 1);
  const quota = closeQuota(deps.config.CLOSE_QUOTA, members);
  const place = await deps.closingWindow.reserve(env.id, { quota, now });
  if (!place.reserved) {
    await deps.environments.update(env.id, (current) =>
      advance(current, 'CLOSE_QUEUED', now, `waiting for the closing quota (${quota} closings in 30 days): it has room from ${place.notBefore}`, {
        closing: { ...current.closing!, notBefore: place.notBefore },
      }),
    );
    return { queued: true, notBefore: place.notBefore };
  }
  await deps.environments.update(env.id, (current) => (current.status === 'CLOSE_QUEUED' ? advance(current, 'CLOSING', now, 'the closing quota has room') : undefined));
  return { queued: false };
}

/**
 * PrepareClose: tags the account with when it was closed, and moves it into CLOSED_OU (created when
 * missing). The admin's switch-role grant covers OU paths, so out of its OU the account is out of
 * the grant; the timeline says so, or warns when CLOSED_OU sits below a granted OU.
 */
export async function prepareCloseStep(
  deps: Pick<Deps, 'environments' | 'organization' | 'grantPatterns' | 'clock'> & { config: CloseSettings },
  input: { id: string },
): Promise<{ closedOuId: string; moved: boolean }> {
  const env = await load(deps, input.id);
  if (!env.accountId || !env.closing) throw new EnvironmentStateError(`Environment ${env.id} has no closing under way.`);
  const accountId = env.accountId;
  const now = deps.clock.now();
  const tags = await deps.organization.listTags(accountId);
  if (!tags[CLOSED_AT_TAG]) await deps.organization.tagAccount(accountId, { [CLOSED_AT_TAG]: now.toISOString() });
  const target = await resolveOu(deps.organization, deps.config.CLOSED_OU, { create: true });
  if (!target) throw new EnvironmentStateError(`CLOSED_OU ${JSON.stringify(deps.config.CLOSED_OU)} is not an OU path.`);
  const parent = (await deps.organization.listParents(accountId))[0];
  const moved = parent !== undefined && parent.id !== target.id;
  if (parent && moved) await deps.organization.moveAccount(accountId, parent.id, target.id);
  // A pattern `o-…/r-…/ou-…/<granted OU>/*` covers that OU and every OU below it: is CLOSED_OU one of them?
  const granted = (await deps.grantPatterns.all()) ?? [];
  const chain = granted.length ? await ouChain(deps.organization, target.id) : [];
  const stillGranted = granted.some((p) => chain.includes(p.split('/').at(-2) ?? ''));
  const note = stillGranted
    ? `moved to ${target.path}; WARNING: that OU lies below an OU the admin's grant covers, so the admin can still switch in until it is closed`
    : `moved to ${target.path}, outside every OU the admin's grant covers`;
  await deps.environments.update(env.id, (current) => annotate({ ...current, closing: { ...current.closing!, closedOuId: target.id } }, now, note));
  return { closedOuId: target.id, moved };
}

/**
 * CloseAccount: asks AWS to close the account. Too many closings in progress is retried by the
 * state machine (RetryableAwsError); AWS's quota refusing it is never a failure: CLOSE_QUEUED for a day.
 */
export async function closeAccountStep(deps: Pick<Deps, 'environments' | 'organization' | 'clock'>, input: { id: string }): Promise<{ queued: boolean; waitSeconds: number; polls: number; notBefore?: string }> {
  const env = await load(deps, input.id);
  if (!env.accountId || !env.closing) throw new EnvironmentStateError(`Environment ${env.id} has no closing under way.`);
  const accountId = env.accountId;
  const now = deps.clock.now();
  if (env.closing.closeRequestedAt) return { queued: false, waitSeconds: CLOSURE_POLL_SECONDS, polls: 0 };
  const outcome = await deps.organization.closeAccount(accountId);
  if (outcome === 'quota-exceeded') {
    const notBefore = new Date(now.getTime() + AWS_QUOTA_RETRY_MS).toISOString();
    await deps.environments.update(env.id, (current) =>
      advance(current, 'CLOSE_QUEUED', now, `AWS refused: its closing quota is used up; trying again from ${notBefore}`, { closing: { ...current.closing!, notBefore } }),
    );
    return { queued: true, waitSeconds: 0, polls: 0, notBefore };
  }
  await deps.environments.update(env.id, (current) =>
    annotate({ ...current, closing: { ...current.closing!, closeRequestedAt: now.toISOString() } }, now, outcome === 'requested' ? `CloseAccount accepted for ${accountId}` : `account ${accountId} was already closed`),
  );
  return { queued: false, waitSeconds: CLOSURE_POLL_SECONDS, polls: 0 };
}

/** CheckClosure: DescribeAccount until SUSPENDED (it passes through PENDING_CLOSURE). */
export async function checkClosureStep(deps: Pick<Deps, 'environments' | 'organization'>, input: { id: string; polls: number }): Promise<{ closed: boolean; status: string; polls: number; waitSeconds: number }> {
  const env = await load(deps, input.id);
  if (!env.accountId) throw new EnvironmentStateError(`Environment ${env.id} has no account.`);
  const account = await deps.organization.describeAccount(env.accountId);
  const status = account?.status ?? 'GONE';
  const polls = input.polls + 1;
  const closed = status === 'SUSPENDED' || status === 'GONE';
  return { closed, status, polls, waitSeconds: closed ? 0 : Math.min(CLOSURE_POLL_MAX_SECONDS, CLOSURE_POLL_SECONDS * 2 ** Math.min(polls, 4)) };
}

/** RecordClosed: CLOSED, everyone who got the ready message is told, and `Environment Closed` goes on the bus. */
export async function recordClosedStep(deps: Pick<Deps, 'environments' | 'events' | 'deliveries' | 'channels' | 'clock'>, input: { id: string }): Promise<{ status: string }> {
  const now = deps.clock.now();
  const env = await deps.environments.update(input.id, (current) =>
    current.status === 'CLOSED' ? undefined : advance(current, 'CLOSED', now, `account ${current.accountId} is closed (SUSPENDED); AWS keeps it reopenable through Support for 90 days`, { closing: { ...current.closing!, closedAt: now.toISOString() } }),
  );
  await deps.events.publish([
    { detailType: 'Environment Closed', detail: { id: env.id, name: env.name, accountId: env.accountId, ou: env.ouPath ?? env.ou, reason: env.closing?.reason, requestedBy: env.closing?.requestedBy, closedAt: env.closing?.closedAt } },
  ]);
  // A channel that is down does not undo the closing: the timeline says so.
  const outcomes = await deliverToChannels(deps, env.id, { kind: 'closed', environment: env });
  const failed = outcomes.filter((o) => o.outcome === 'failed' || o.outcome === 'unknown').map((o) => o.channel);
  if (failed.length) await deps.environments.update(env.id, (current) => annotate(current, deps.clock.now(), `the closed notification may not have reached: ${failed.join(', ')}`));
  return { status: env.status };
}

/** RecordCloseFailure: FAILED with the reason and the fix; DELETE again takes the closing up where it stood. */
export async function recordCloseFailureStep(deps: Pick<Deps, 'environments' | 'closingWindow' | 'clock'>, input: { id: string; error?: { Error?: string; Cause?: unknown } }): Promise<{ code: string }> {
  const code = input.error?.Error ?? 'UNKNOWN';
  const cause = typeof input.error?.Cause === 'string' ? input.error.Cause : '';
  let message = cause;
  try {
    message = (JSON.parse(cause) as { errorMessage?: string }).errorMessage ?? cause;
  } catch {
    // Not JSON: the cause as it came.
  }
  const now = deps.clock.now();
  const env = await deps.environments.get(input.id);
  // Nothing was asked of AWS yet: the place in the quota's window goes back.
  if (env && !env.closing?.closeRequestedAt) await deps.closingWindow.release(env.id);
  await deps.environments.update(input.id, (current) =>
    advance(current, 'FAILED', now, `closing failed: ${code}: ${message}`, {
      failure: { code, message: message || 'The closing stopped without a reason.', fix: 'Fix the cause named here, then ask for the closing again (DELETE /environments/{id}); it resumes where it stood.', state: 'DecommissionEnvironment' },
    }),
  );
  return { code };
}

/**
 * The closing part of the lifecycle check: a CLOSE_QUEUED environment whose `notBefore` has come gets
 * its next attempt (a new execution), and a CLOSING one is started again by its name, which does
 * nothing while its execution runs and makes good a start lost in a crash.
 */
export async function sweepClosings(
  deps: Pick<Deps, 'environments' | 'decommission' | 'clock'>,
  /** The environments in flight, when the caller listed them already (each change re-reads its record). */
  active?: readonly Environment[],
): Promise<{ resumed: string[] }> {
  const resumed: string[] = [];
  const now = deps.clock.now();
  for (const env of active ?? (await deps.environments.listActive())) {
    if (env.status === 'CLOSE_QUEUED' && env.closing && (!env.closing.notBefore || Date.parse(env.closing.notBefore) <= now.getTime())) {
      const next = await deps.environments.update(env.id, (current) =>
        current.status === 'CLOSE_QUEUED' && current.closing
          ? advance(current, 'CLOSING', now, 'the closing quota should have room now: trying again', { closing: { ...current.closing, attempt: current.closing.attempt + 1, notBefore: undefined } })
          : undefined,
      );
      if (next.status === 'CLOSING') {
        await deps.decommission.start(closeExecutionName(next), { id: next.id });
        resumed.push(next.id);
      }
    } else if (env.status === 'CLOSING') {
      const { alreadyStarted } = await deps.decommission.start(closeExecutionName(env), { id: env.id });
      if (!alreadyStarted) resumed.push(env.id);
    }
  }
  return { resumed };
}
