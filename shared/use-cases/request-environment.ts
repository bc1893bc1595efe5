import { protectedBy } from '../domain/approval';
import { annotate, newEnvironment, type Approval, type Environment, type ReplyTo } from '../domain/environment';
import { AccountQuotaExceededError, ConflictError, InvalidInputError, OuNotFoundError, RetryableAwsError } from '../domain/errors';
import { nameKey } from '../domain/naming';
import { defaultLease } from '../domain/lease';
import { parseOuRef } from '../domain/ou-path';
import { parseEnvironmentRequest, type EnvironmentRequest } from '../domain/request';
import type { Config } from '../lambda/config';
import type { Deps } from './deps';
import { resolveOuIndexed } from './resolve-ou';
import { publishApprovalRequested } from './approval-events';

export interface RequestInput {
  body: unknown;
  /** Which trigger: api, slack, webhook, event. */
  source: string;
  idempotencyKey?: string;
  replyTo?: ReplyTo;
  /**
   * Who asked, as authenticated by the trigger (an IAM principal ARN, a Slack user id, `local:NAME`):
   * recorded on a request that needs approval, so its requester cannot approve it.
   */
  principal?: string;
}

export interface RequestOutcome {
  environment: Environment;
  /** false when this was the same request again and the existing environment is returned. */
  created: boolean;
}

/** What a request is checked and defaulted against. */
export type RequestSettings = Pick<
  Config,
  'EMAIL_TEMPLATE' | 'CREATE_MISSING_OUS' | 'ACCOUNT_QUOTA' | 'APPROVAL_OUS' | 'APPROVERS' | 'APPROVAL_TIMEOUT' | 'LEASE_DEFAULTS' | 'LEASE_MAX' | 'SWITCHYARD_MIN_LEASE_SECONDS'
>;

const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/;

/**
 * The one way an environment gets requested, whatever the trigger: validate, pre-flight, record,
 * start — or, in a protected OU, record it PENDING_APPROVAL and ask the approvers (an `Environment
 * Approval Requested` event, which notifyApprovers carries to every channel; the lifecycle check
 * asks again if it was lost). Running it twice with the same request returns the first environment
 * and starts nothing new.
 */
export async function requestEnvironment(
  deps: Pick<Deps, 'clock' | 'environments' | 'idempotency' | 'organization' | 'organizationIndex' | 'workflow' | 'events'> & { config: RequestSettings },
  input: RequestInput,
): Promise<RequestOutcome> {
  const request = parseEnvironmentRequest(input.body, {
    emailTemplate: deps.config.EMAIL_TEMPLATE,
    lease: { minSeconds: deps.config.SWITCHYARD_MIN_LEASE_SECONDS, maxSeconds: deps.config.LEASE_MAX },
  });

  if (input.idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(input.idempotencyKey)) {
    throw new InvalidInputError('The Idempotency-Key header must be 1 to 255 visible ASCII characters.', [
      { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  }

  const existing = await deps.environments.get(request.id);
  if (existing) {
    await claimKey(deps, input.idempotencyKey, request);
    return sameRequestAgain(deps, existing, request);
  }

  const checked = await preflight(deps, request);
  // Bound only once the request is acceptable: a caller whose request was refused (a missing OU, a
  // taken email) may correct it and send it again under the same key.
  await claimKey(deps, input.idempotencyKey, request);

  const now = deps.clock.now();
  const approval = await approvalFor(deps, request, checked.ouPath, input.principal, now);
  const lease = await leaseFor(deps, request, checked.ouPath);
  let fresh = newEnvironment(request, { now, source: input.source, idempotencyKey: input.idempotencyKey, replyTo: input.replyTo, approval, lease });
  if (checked.note) fresh = annotate(fresh, now, checked.note);
  const { created, environment } = await deps.environments.create(fresh);
  if (!created) return sameRequestAgain(deps, environment, request);
  if (environment.status === 'PENDING_APPROVAL') {
    await publishApprovalRequested(deps, environment);
    return { environment, created: true };
  }
  await deps.workflow.start(environment.executionName, { id: environment.id });
  return { environment, created: true };
}

/**
 * The approval a request needs, or undefined: its OU path (resolved by the pre-flight, else as
 * written) is one of APPROVAL_OUS or below one. An OU given by id whose path cannot be told is
 * treated as protected while any OU is: a yes too many beats an account nobody approved.
 */
async function approvalFor(
  deps: Pick<Deps, 'organization' | 'organizationIndex' | 'clock'> & { config: RequestSettings },
  request: EnvironmentRequest,
  resolvedPath: string | undefined,
  requester: string | undefined,
  now: Date,
): Promise<Approval | undefined> {
  const { APPROVAL_OUS, APPROVERS, APPROVAL_TIMEOUT } = deps.config;
  if (!APPROVAL_OUS.length) return undefined;
  const ref = parseOuRef(request.ou);
  let path = resolvedPath ?? (typeof ref !== 'string' && ref.kind === 'path' ? ref.segments.join('/') : undefined);
  if (path === undefined) path = (await resolveOuIndexed(deps, request.ou).catch(() => undefined))?.path;
  const ou = path === undefined ? request.ou : protectedBy(path, APPROVAL_OUS);
  if (!ou) return undefined;
  return {
    ou,
    ...(requester ? { requester } : {}),
    approvers: [...APPROVERS],
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + APPROVAL_TIMEOUT * 1000).toISOString(),
  };
}

/**
 * The lease a request gets: its `ttl`, else its OU's LEASE_DEFAULTS entry (the most specific at or
 * above the OU's path, as the pre-flight resolved it or as written), capped by LEASE_MAX; else none.
 */
async function leaseFor(
  deps: Pick<Deps, 'organization' | 'organizationIndex' | 'clock'> & { config: RequestSettings },
  request: EnvironmentRequest,
  resolvedPath: string | undefined,
): Promise<{ seconds: number; from: 'ttl' | 'default' } | undefined> {
  if (request.ttlSeconds !== undefined) return { seconds: request.ttlSeconds, from: 'ttl' };
  const { LEASE_DEFAULTS, LEASE_MAX } = deps.config;
  if (!LEASE_DEFAULTS.length) return undefined;
  const ref = parseOuRef(request.ou);
  let path = resolvedPath ?? (typeof ref !== 'string' && ref.kind === 'path' ? ref.segments.join('/') : undefined);
  if (path === undefined) path = (await resolveOuIndexed(deps, request.ou).catch(() => undefined))?.path;
  const seconds = path === undefined ? undefined : defaultLease(path, LEASE_DEFAULTS);
  return seconds === undefined ? undefined : { seconds: Math.min(seconds, LEASE_MAX), from: 'default' };
}

/** Binds the Idempotency-Key to this request the first time; the same key with another request is a 409. */
async function claimKey(deps: Pick<Deps, 'idempotency'>, key: string | undefined, request: EnvironmentRequest): Promise<void> {
  if (key === undefined) return;
  const binding = await deps.idempotency.claimIdempotencyKey(key, { id: request.id, requestHash: request.requestHash });
  if (binding.requestHash !== request.requestHash) {
    throw new ConflictError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different request.', [
      { field: 'Idempotency-Key', message: 'already used for a different request' },
    ]);
  }
}

/**
 * The name is taken. If by this very request, answer with it — and (re)start its execution, which is
 * idempotent by name, in case the first attempt recorded the environment but died before starting it.
 */
async function sameRequestAgain(deps: Pick<Deps, 'workflow'>, existing: Environment, request: EnvironmentRequest): Promise<RequestOutcome> {
  if (existing.requestHash !== request.requestHash) {
    throw new ConflictError(
      'NAME_TAKEN',
      `An environment named "${existing.name}" already exists (${existing.id}, ${existing.status}) with different settings.`,
      [{ field: 'name', message: 'is already used by another environment' }],
    );
  }
  if (existing.status === 'REQUESTED') await deps.workflow.start(existing.executionName, { id: existing.id });
  return { environment: existing, created: false };
}

/**
 * Checks that could fail the workflow later, done now so the caller gets a 4xx instead of a FAILED
 * environment. They read the organization index (shared/ports/organization-index.ts), not the
 * organization: the same few registry reads at 10 accounts or 10,000, and no Organizations call
 * unless the OU is new to the index. They are a courtesy, not a guard: the workflow meets every one
 * of them again (AWS refuses a taken email, a missing OU or a full organization, and the environment
 * FAILS with the fix), so an index that lags the organization costs a FAILED environment, never a
 * second account. When Organizations keeps throttling the OU lookup, or no walk has built the index
 * yet, the request is accepted and the returned note says which checks were left to the workflow.
 */
async function preflight(
  deps: Pick<Deps, 'environments' | 'organization' | 'organizationIndex' | 'clock'> & { config: RequestSettings },
  request: EnvironmentRequest,
): Promise<{ note?: string; ouPath?: string }> {
  const sameEmail = await deps.environments.findByEmail(request.email);
  // The same request arriving twice at once: the conditional create below sorts it out (200, same environment).
  if (sameEmail && sameEmail.status !== 'FAILED' && sameEmail.status !== 'REJECTED' && sameEmail.id !== request.id) {
    throw new ConflictError('EMAIL_TAKEN', `The email is already used by environment ${sameEmail.id}.`, [
      { field: 'email', message: 'is already used by another environment' },
    ]);
  }
  const index = deps.organizationIndex;
  const [named, emailed, summary, active] = await Promise.all([index.accountsNamed(request.name), index.accountWithEmail(request.email), index.summary(), deps.environments.listActive()]);
  const byName = named[0];
  if (byName) {
    throw new ConflictError('NAME_TAKEN', `The organization already has an account named "${byName.name}" (${byName.id}).`, [
      { field: 'name', message: 'is already used by an account in the organization' },
    ]);
  }
  if (emailed) {
    throw new ConflictError('EMAIL_TAKEN', 'An account in the organization already uses this email; AWS requires a unique email per account.', [
      { field: 'email', message: 'is already used by an account in the organization' },
    ]);
  }
  const notes: string[] = [];
  let ouPath: string | undefined;
  if (!deps.config.CREATE_MISSING_OUS) {
    let ou;
    try {
      ou = await resolveOuIndexed(deps, request.ou);
    } catch (error) {
      if (!(error instanceof RetryableAwsError)) throw error;
      notes.push(`the OU check was left to the workflow (${error.awsError ?? 'AWS throttled'} after retries)`);
      ou = null;
    }
    if (ou === undefined) throw new OuNotFoundError(`No organizational unit "${request.ou}" exists in the organization.`);
    ouPath = ou?.path;
  }
  if (!summary.refreshedAt) {
    notes.push('the organization index has not been built by a drift check yet, so the name, email and quota checks covered only accounts Switchyard has seen; AWS still refuses a taken email or a full organization');
  } else {
    const pending = active.filter((e) => !e.accountId).length;
    if (summary.accounts + pending >= deps.config.ACCOUNT_QUOTA) {
      throw new AccountQuotaExceededError(
        `The organization has ${summary.accounts} accounts and ${pending} being created; its quota is ${deps.config.ACCOUNT_QUOTA}.`,
      );
    }
  }
  return { ...(notes.length ? { note: `pre-flight: ${notes.join('; ')}` } : {}), ...(ouPath !== undefined ? { ouPath } : {}) };
}
