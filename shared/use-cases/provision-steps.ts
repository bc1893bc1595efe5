import { interruptedDeliveryNote, uncertainDeliveryNote } from '../domain/delivery';
import { advance, annotate, type Environment } from '../domain/environment';
import { AccountCreationTimedOutError, EnvironmentStateError, OuNotFoundError, TERMINAL_ERROR_NAMES } from '../domain/errors';
import { describeFailure, describeHandoffGap, type CaughtError } from '../domain/failure-reasons';
import { startLease } from '../domain/lease-schedule';
import { slugify } from '../domain/naming';
import { expectedCreationSeconds, nextPollDelay } from '../domain/polling';
import { buildSwitchRoleDetails, type SwitchRoleDetails } from '../domain/switch-role';
import { pollPolicy, type Config, type PollSettings } from '../lambda/config';
import type { CreateAccountStatus, CreationResult, Notification, Organization } from '../ports';
import { deliverToChannels } from './deliver';
import type { Deps } from './deps';
import { resolveOu } from './resolve-ou';

/**
 * The workflow's steps. Each loads the environment from the registry, does one thing, records it,
 * and returns plain data for the next state. Each is safe to run again after a crash or a retry.
 */

/** Tag that marks an account as created for an environment: how a re-run recognises its own account. */
export const ENVIRONMENT_TAG = 'switchyard:environment-id';

/** What a switch-role link or profile is made of besides the environment: the role and the caller's profile. */
export type SwitchRoleSettings = Pick<Config, 'ROLE_NAME' | 'SOURCE_PROFILE'>;

/** What CreateAccount and CheckAccountStatus go by: the role AWS creates, the creation slots, the polls. */
export type CreationSettings = PollSettings & Pick<Config, 'ROLE_NAME' | 'MAX_CONCURRENT_CREATES' | 'CREATE_SLOT_POLL_SECONDS' | 'CREATE_SLOT_WAIT_SECONDS'>;

export interface CreationProgress {
  requestId?: string;
  /** QUEUED: every creation slot is taken; CreateAccount runs again after waitSeconds. */
  state: CreateAccountStatus['state'] | 'QUEUED';
  accountId?: string;
  failureReason?: string;
  polls: number;
  waitSeconds: number;
}

async function load(deps: Pick<Deps, 'environments'>, id: string): Promise<Environment> {
  const env = await deps.environments.get(id);
  if (!env) throw new EnvironmentStateError(`Environment ${id} is not in the registry.`);
  return env;
}

function elapsedSeconds(deps: Pick<Deps, 'clock'>, env: Environment): number {
  return env.createStartedAt ? Math.max(0, (deps.clock.now().getTime() - Date.parse(env.createStartedAt)) / 1000) : 0;
}

/** How far before its attempt a creation may have been requested and still be this environment's (clock skew). */
const ATTEMPT_SKEW_MS = 5 * 60 * 1000;

/**
 * This environment's own account, when an earlier attempt created it but never recorded it: the
 * organization index by email (kept by the CloudTrail record of the creation), else the creations
 * AWS still tracks under this name since the attempt. Either way confirmed by the environment's tag.
 * Never a walk of the organization: the cost is bounded by recent creations, not by its size.
 */
async function findOwnAccount(deps: Pick<Deps, 'organization' | 'organizationIndex'>, env: Environment): Promise<string | undefined> {
  const own = async (accountId: string) => (await deps.organization.listTags(accountId))[ENVIRONMENT_TAG] === env.id;
  const indexed = await deps.organizationIndex.accountWithEmail(env.email);
  if (indexed && (await own(indexed.id))) return indexed.id;
  const since = Date.parse(env.createStartedAt ?? env.createdAt) - ATTEMPT_SKEW_MS;
  const created = (await deps.organization.listCreateAccountStatus(['SUCCEEDED'])).filter(
    (s) => s.accountId && s.accountName === env.name && s.accountId !== indexed?.id && (!s.requestedAt || Date.parse(s.requestedAt) >= since),
  );
  for (const status of created) if (await own(status.accountId!)) return status.accountId;
  return undefined;
}

/**
 * CreateAccount has no client token, so a second call would start a second account. The first
 * attempt records `createStartedAt` just before calling it and the `car-` id just after; a step run
 * again with the id polls it, and one run again without it (the earlier attempt died in between)
 * looks for what that attempt may have started: a creation in progress under this name, or an
 * account carrying this environment's tag (see findOwnAccount). A first attempt looks for nothing.
 */
export async function createAccountStep(
  deps: Pick<Deps, 'environments' | 'creationSlots' | 'creationWakes' | 'organization' | 'organizationIndex' | 'clock'> & { config: CreationSettings },
  input: { id: string },
): Promise<CreationProgress> {
  let env = await load(deps, input.id);
  if (env.accountId) return { state: 'SUCCEEDED', accountId: env.accountId, requestId: env.createRequestId, polls: 0, waitSeconds: 0 };
  if (env.status === 'FAILED' || env.status === 'READY') throw new EnvironmentStateError(`Environment ${env.id} is already ${env.status}.`);
  if (env.createRequestId) {
    await deps.creationWakes.expect(env.createRequestId, env.id, deps.clock.now());
    return { state: 'IN_PROGRESS', requestId: env.createRequestId, polls: 0, waitSeconds: await pollDelay(deps, 0, elapsedSeconds(deps, env)) };
  }

  // AWS runs about 5 creations at once: beyond that, wait for a slot instead of being refused.
  const slot = await waitForSlot(deps, env.id);
  const now = deps.clock.now();
  if (!slot.acquired) {
    await deps.environments.update(env.id, (current) => annotate(current, now, `waiting for a creation slot (${deps.config.MAX_CONCURRENT_CREATES} account creations are in progress)`));
    return { state: 'QUEUED', polls: 0, waitSeconds: deps.config.CREATE_SLOT_POLL_SECONDS };
  }
  try {
    const attemptedBefore = env.createStartedAt !== undefined;
    env = await deps.environments.update(env.id, (current) =>
      advance(current, 'CREATING', now, 'creating the account in AWS Organizations', { createStartedAt: current.createStartedAt ?? now.toISOString() }),
    );
    let running: CreateAccountStatus | undefined;
    if (attemptedBefore) {
      running = (await deps.organization.listCreateAccountStatus(['IN_PROGRESS'])).find((s) => s.accountName === env.name);
      const adopted = running ? undefined : await findOwnAccount(deps, env);
      if (adopted) {
        await deps.environments.update(env.id, (current) => ({ ...current, accountId: adopted }));
        await deps.creationSlots.release(env.id);
        return { state: 'SUCCEEDED', accountId: adopted, polls: 0, waitSeconds: 0 };
      }
    }
    const status =
      running ??
      (await deps.organization.createAccount({
        name: env.name,
        email: env.email,
        roleName: deps.config.ROLE_NAME,
        tags: { ...env.tags, [ENVIRONMENT_TAG]: env.id, 'switchyard:environment': env.name },
      }));
    await deps.environments.update(env.id, (current) => ({ ...current, createRequestId: status.id }));
    // Before the workflow waits: AWS's CreateAccountResult for this creation now finds whom to wake.
    await deps.creationWakes.expect(status.id, env.id, now);
    const firstWait = await pollDelay(deps, 0, elapsedSeconds(deps, env));
    return { requestId: status.id, state: status.state, accountId: status.accountId, failureReason: status.failureReason, polls: 0, waitSeconds: firstWait };
  } catch (error) {
    // A refusal ends this creation: give the slot back. A retryable error or a crash may have left a
    // creation running at AWS, so the slot stays until the creation is seen to end (or goes stale).
    if (isTerminal(error)) await deps.creationSlots.release(env.id);
    throw error;
  }
}

/**
 * Asks for a creation slot, and keeps asking for CREATE_SLOT_WAIT_SECONDS: a slot freed a moment
 * later is taken within a fraction of a second rather than after the workflow's next wait.
 */
async function waitForSlot(deps: Pick<Deps, 'creationSlots' | 'clock'> & { config: CreationSettings }, id: string): Promise<{ acquired: boolean; inUse: number }> {
  const waitMs = deps.config.CREATE_SLOT_WAIT_SECONDS * 1000;
  const deadline = deps.clock.now().getTime() + waitMs;
  for (let round = 1; ; round++) {
    const slot = await deps.creationSlots.acquire(id, { limit: deps.config.MAX_CONCURRENT_CREATES, now: deps.clock.now(), staleAfterSeconds: creationSlotStaleSeconds(deps.config) });
    if (slot.acquired || deps.clock.now().getTime() + SLOT_RETRY_MS > deadline || round >= maxRounds(waitMs, SLOT_RETRY_MS / 2)) return slot;
    await sleep(SLOT_RETRY_MS * (0.5 + Math.random()));
  }
}

const SLOT_RETRY_MS = 250;
/** The in-task waits (for a slot here, for a new role in handoff-steps). */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How many rounds an in-task wait of `waitMs` may take at most, pausing at least `pauseMs` each: the
 * injected clock decides when the wait is over, and this bounds it when that clock stands still (tests).
 */
export function maxRounds(waitMs: number, pauseMs: number): number {
  return Math.ceil(waitMs / pauseMs) + 1;
}

/**
 * How long WaitForAccount waits before the next status poll. The poll's own delay is adaptive to what
 * recent creations took (see nextPollDelay); when Organizations' CreateAccountResult event is expected
 * to wake the workflow (CREATION_EVENT_WAIT_SECONDS), polling is only the backstop for a lost event,
 * so the wait is at least that long (never past the cap).
 */
async function pollDelay(deps: Pick<Deps, 'creationSlots'> & { config: PollSettings }, polls: number, elapsed: number): Promise<number> {
  const expected = expectedCreationSeconds(await deps.creationSlots.recentDurations());
  const policy = pollPolicy(deps.config);
  const delay = nextPollDelay(policy, polls, elapsed, expected);
  const backstop = Math.min(deps.config.CREATION_EVENT_WAIT_SECONDS, Math.max(1, Math.ceil(policy.capSeconds - elapsed)));
  return Math.max(delay, backstop);
}

/**
 * AwaitAccount, the task WaitForAccount invokes with its task token: records the token where the
 * creation's CreateAccountResult event will find it (indexOrganization, wakeCreation), and wakes the
 * workflow at once when the event came first or the account is known already. Its answer is not
 * the state's output: the token's is.
 */
export async function awaitAccountStep(
  deps: Pick<Deps, 'environments' | 'creationWakes' | 'workflow'>,
  input: { id: string; token: string },
): Promise<{ waiting: boolean }> {
  const env = await load(deps, input.id);
  if (env.accountId) {
    await deps.workflow.sendTaskSuccess(input.token, { state: 'SUCCEEDED', accountId: env.accountId });
    return { waiting: false };
  }
  // No creation yet (waiting for a slot): nothing will wake it; the task's timeout ends the wait.
  if (!env.createRequestId) return { waiting: true };
  const { result } = await deps.creationWakes.awaitResult(env.createRequestId, input.token);
  if (!result) return { waiting: true };
  await deps.workflow.sendTaskSuccess(input.token, { ...result });
  return { waiting: false };
}

/**
 * The other half, for a CreateAccountResult event (success or failure): records the result and wakes
 * the workflow already waiting for it. 'ignored' for a creation Switchyard did not start.
 */
export async function wakeCreation(deps: Pick<Deps, 'creationWakes' | 'workflow'>, requestId: string, result: CreationResult): Promise<'woken' | 'recorded' | 'ignored' | 'gone'> {
  const delivered = await deps.creationWakes.deliverResult(requestId, result);
  if (!delivered.expected) return 'ignored';
  if (!delivered.token) return 'recorded';
  return (await deps.workflow.sendTaskSuccess(delivered.token, { ...result })) === 'sent' ? 'woken' : 'gone';
}

/** A slot whose holder has not been seen to finish within the creation cap and a margin is taken back. */
export function creationSlotStaleSeconds(config: Pick<Config, 'ACCOUNT_CREATION_CAP_SECONDS'>): number {
  return config.ACCOUNT_CREATION_CAP_SECONDS + 300;
}

function isTerminal(error: unknown): boolean {
  return TERMINAL_ERROR_NAMES.includes((error as Error)?.name as (typeof TERMINAL_ERROR_NAMES)[number]);
}

/** Asks Organizations how the creation is going and says how long to wait before asking again. */
export async function checkAccountStatusStep(
  deps: Pick<Deps, 'environments' | 'creationSlots' | 'organization' | 'organizationIndex' | 'clock'> & { config: PollSettings },
  input: { id: string; polls: number },
): Promise<CreationProgress> {
  const env = await load(deps, input.id);
  const polls = input.polls + 1;
  if (env.accountId) return { state: 'SUCCEEDED', accountId: env.accountId, requestId: env.createRequestId, polls, waitSeconds: 0 };
  // Not started (no creation slot yet, or an attempt that died before AWS named it): CreateAccount again.
  if (!env.createRequestId && (env.status === 'REQUESTED' || env.status === 'CREATING')) return { state: 'QUEUED', polls, waitSeconds: 0 };
  if (!env.createRequestId) throw new EnvironmentStateError(`Environment ${env.id} has no account creation to check.`);

  const status = await deps.organization.describeCreateAccountStatus(env.createRequestId);
  let accountId = status.state === 'SUCCEEDED' ? status.accountId : undefined;
  // A retried creation can fail EMAIL_ALREADY_EXISTS because the first attempt succeeded: that is this environment's account.
  if (status.state === 'FAILED' && status.failureReason === 'EMAIL_ALREADY_EXISTS') accountId = await findOwnAccount(deps, env);
  if (accountId || status.state === 'FAILED') await deps.creationSlots.release(env.id);
  // What this creation took, by AWS's own timestamps: the next creations poll around it.
  if (status.state === 'SUCCEEDED' && status.requestedAt && status.completedAt) {
    await deps.creationSlots.recordDuration((Date.parse(status.completedAt) - Date.parse(status.requestedAt)) / 1000);
  }
  if (accountId) {
    await deps.environments.update(env.id, (current) => ({ ...current, accountId }));
    return { requestId: status.id, state: 'SUCCEEDED', accountId, polls, waitSeconds: 0 };
  }
  if (status.state === 'FAILED') return { requestId: status.id, state: 'FAILED', failureReason: status.failureReason ?? 'UNKNOWN', polls, waitSeconds: 0 };

  const policy = pollPolicy(deps.config);
  const elapsed = elapsedSeconds(deps, env);
  if (elapsed >= policy.capSeconds) {
    throw new AccountCreationTimedOutError(
      `AWS Organizations was still creating the account (${status.id}) after ${Math.round(elapsed)} s; the cap is ${policy.capSeconds} s.`,
    );
  }
  return { requestId: status.id, state: 'IN_PROGRESS', polls, waitSeconds: await pollDelay(deps, polls, elapsed) };
}

/**
 * Puts the account in its OU. Reads the current parent first, so a second run finds nothing to do.
 * The OU is resolved live (the index may hold one deleted since), and the account and OU are written
 * to the organization index, so the next pre-flight knows them before CloudTrail's record arrives.
 */
export async function placeAccountStep(
  deps: Pick<Deps, 'environments' | 'organization' | 'organizationIndex' | 'clock'> & { config: Pick<Config, 'CREATE_MISSING_OUS'> },
  input: { id: string },
): Promise<{ accountId: string; ouId: string; ouPath: string; moved: boolean }> {
  const env = await load(deps, input.id);
  if (!env.accountId) throw new EnvironmentStateError(`Environment ${env.id} has no account to place.`);
  const accountId = env.accountId;
  const target = await resolveOu(deps.organization, env.ou, { create: deps.config.CREATE_MISSING_OUS });
  if (!target) throw new OuNotFoundError(`The organizational unit "${env.ou}" does not exist (set CREATE_MISSING_OUS=true to create it).`);
  await deps.environments.update(env.id, (current) =>
    advance(current, 'PLACING', deps.clock.now(), `account ${accountId} created; placing it in ${target.path}`, { ouId: target.id, ouPath: target.path }),
  );
  const parent = (await deps.organization.listParents(accountId))[0];
  const moved = parent?.id !== target.id;
  if (parent && moved) await deps.organization.moveAccount(accountId, parent.id, target.id);
  const at = deps.clock.now();
  await deps.organizationIndex.recordOu(target.path, target.id, at);
  await deps.organizationIndex.recordAccount({ id: accountId, name: env.name, email: env.email, status: 'ACTIVE', parentId: target.id }, at);
  return { accountId, ouId: target.id, ouPath: target.path, moved };
}

/**
 * The switch-role details for an environment with an account. A combined config file passes its own
 * profile name (unique across the file) and the caller's source profile; everything else uses the defaults.
 */
export function switchRoleFor(env: Environment, config: SwitchRoleSettings, overrides: { profileName?: string; sourceProfile?: string } = {}): SwitchRoleDetails | undefined {
  if (!env.accountId) return undefined;
  return buildSwitchRoleDetails({
    accountId: env.accountId,
    displayName: env.name,
    color: env.color,
    roleName: config.ROLE_NAME,
    profileName: overrides.profileName ?? slugify(env.name),
    sourceProfile: overrides.sourceProfile ?? config.SOURCE_PROFILE,
    ...(env.lease?.expiresAt ? { expiresAt: env.lease.expiresAt } : {}),
  });
}

/**
 * Sends a notification on every channel, each at most once: a delivery record is claimed before each
 * send (see deliver.ts), so a retried or re-run step sends only what certainly went nowhere. A send
 * that may have gone out without being recorded is not repeated; the timeline says so instead. The
 * record keeps `kind:channel` for each delivery as a summary. A channel that failed is reported after
 * the others were tried.
 */
async function deliver(deps: Pick<Deps, 'environments' | 'deliveries' | 'channels' | 'clock'>, env: Environment, notification: Notification): Promise<{ sent: string[] }> {
  const outcomes = await deliverToChannels(deps, env.id, notification, env.notified);
  const sent = outcomes.filter((o) => o.outcome === 'sent').map((o) => `${notification.kind}:${o.channel}`);
  const notes = outcomes.flatMap((o) =>
    o.outcome === 'unknown' ? [uncertainDeliveryNote(notification.kind, o.channel, o.error)] : o.outcome === 'skipped' && o.state === 'sending' ? [interruptedDeliveryNote(notification.kind, o.channel)] : [],
  );
  if (sent.length || notes.length) {
    const now = deps.clock.now();
    await deps.environments.update(env.id, (current) =>
      notes.reduce((next, note) => annotate(next, now, note), sent.length ? { ...current, notified: [...new Set([...(current.notified ?? []), ...sent])] } : current),
    );
  }
  const failures = outcomes.flatMap((o) => (o.outcome === 'failed' ? [o.error] : []));
  if (failures.length) throw failures.find((f) => f.name === 'RetryableAwsError') ?? failures[0];
  return { sent };
}

/** Sends the switch-role details to every channel, once. */
export async function notifyAdminStep(
  deps: Pick<Deps, 'environments' | 'deliveries' | 'channels' | 'clock'> & { config: SwitchRoleSettings },
  input: { id: string },
): Promise<{ sent: string[] }> {
  // The lease starts with the handover, so the ready message names the end the record keeps.
  const now = deps.clock.now();
  const env = await deps.environments.update(input.id, (current) => startLease(advance(current, 'NOTIFYING', now, 'sending the switch-role details'), now));
  const switchRole = switchRoleFor(env, deps.config);
  if (!switchRole) throw new EnvironmentStateError(`Environment ${env.id} has no account to hand over.`);
  return deliver(deps, env, { kind: 'ready', environment: env, switchRole });
}

/** What the handoff steps' Catches left in the execution state (`{ Error, Cause }` each). */
export interface ReadyInput {
  notifyError?: CaughtError;
  grantError?: CaughtError;
  configureError?: CaughtError;
}

/** What to do about a handoff step that failed when the error itself says nothing more specific. */
const HANDOFF_FIXES = {
  grant: 'fix the cause named here, and the next grant for any environment writes this OU into the admin policy too',
  configure: 'the account works without its alias and tags; fix the cause named here, then set them by hand',
  notify: 'check the channel named here (its address, secret or permissions), and find the switch-role details at GET /environments/{id}/switch-role',
};

/** Marks the environment READY — saying what part of the handoff did not happen, why, and what to do — and tells other automation. */
export async function recordReadyStep(
  deps: Pick<Deps, 'environments' | 'clock' | 'events'> & { config: SwitchRoleSettings },
  input: { id: string; input?: ReadyInput },
): Promise<{ status: string }> {
  const caught = input.input ?? {};
  const gaps = [
    caught.grantError && describeHandoffGap('the admin could not be granted access', caught.grantError, HANDOFF_FIXES.grant),
    caught.configureError && describeHandoffGap('the alias and tags could not be set', caught.configureError, HANDOFF_FIXES.configure),
    caught.notifyError && describeHandoffGap('the notification could not be sent', caught.notifyError, HANDOFF_FIXES.notify),
  ].filter(Boolean);
  const note = gaps.length ? `ready; ${gaps.join('; ')}` : 'ready';
  // The lease started at NotifyAdmin; an environment that reached READY without it starts its lease now.
  const now = deps.clock.now();
  const env = await deps.environments.update(input.id, (current) => startLease(advance(current, 'READY', now, note), now));
  const switchRole = switchRoleFor(env, deps.config);
  await deps.events.publish([
    { detailType: 'Environment Ready', detail: { ...outcomeDetail(env), consoleUrl: switchRole?.consoleUrl, roleArn: switchRole?.roleArn, ...(env.lease?.expiresAt ? { expiresAt: env.lease.expiresAt } : {}) } },
  ]);
  return { status: env.status };
}

/** What every outcome event carries; never the email (it identifies a person's inbox). */
function outcomeDetail(env: Environment) {
  return { id: env.id, name: env.name, status: env.status, accountId: env.accountId, ou: env.ouPath ?? env.ou, ouId: env.ouId, requestedBy: env.requestedBy };
}

export interface FailureInput {
  create?: { state?: string; failureReason?: string };
  error?: { Error?: string; Cause?: unknown };
}

export async function recordFailureStep(deps: Pick<Deps, 'environments' | 'creationSlots' | 'clock' | 'events'>, input: { id: string; input?: FailureInput }): Promise<{ code: string }> {
  const failed = input.input?.create?.state === 'FAILED' && !input.input.error;
  const failure = failed
    ? describeFailure({ reason: input.input?.create?.failureReason ?? 'UNKNOWN', state: 'CheckAccountStatus' })
    : describeFailure({ error: input.input?.error?.Error, cause: input.input?.error?.Cause });
  // The timeline says what the failure record says: the code, what happened and the fix.
  const note = `${failure.code}: ${failure.message} Fix: ${failure.fix.replace(/\.$/, '')}`;
  const env = await deps.environments.update(input.id, (current) => advance(current, 'FAILED', deps.clock.now(), note, { failure }));
  // Whatever failed, this environment no longer needs a creation slot.
  await deps.creationSlots.release(env.id);
  if (env.status === 'FAILED' && env.failure) {
    await deps.events.publish([
      { detailType: 'Environment Provisioning Failed', detail: { ...outcomeDetail(env), reason: env.failure.code, message: env.failure.message, fix: env.failure.fix } },
    ]);
  }
  return { code: env.failure?.code ?? failure.code };
}

/** Tells every channel why provisioning failed, once; only for an environment that did fail. */
export async function notifyFailureStep(deps: Pick<Deps, 'environments' | 'deliveries' | 'channels' | 'clock'>, input: { id: string }): Promise<{ sent: string[] }> {
  const env = await load(deps, input.id);
  if (env.status !== 'FAILED') return { sent: [] };
  return deliver(deps, env, { kind: 'failed', environment: env });
}
