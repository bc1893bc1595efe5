import { currentColor } from './colors';
import { requestDigest } from './naming';
import type { EnvironmentRequest } from './request';

export const ENVIRONMENT_STATUSES = ['REQUESTED', 'CREATING', 'PLACING', 'NOTIFYING', 'READY', 'FAILED'] as const;
export type EnvironmentStatus = (typeof ENVIRONMENT_STATUSES)[number];

/** The happy path, in order. FAILED can follow any non-final status. */
const ORDER: Record<EnvironmentStatus, number> = { REQUESTED: 0, CREATING: 1, PLACING: 2, NOTIFYING: 3, READY: 4, FAILED: 5 };

export function isFinal(status: EnvironmentStatus): boolean {
  return status === 'READY' || status === 'FAILED';
}

export interface Failure {
  /**
   * A FailureReason from Organizations (`EMAIL_ALREADY_EXISTS`), the code AWS refused a call with
   * (`AccessDeniedException`), or an error name (`AccountCreationTimedOutError`).
   */
  code: string;
  message: string;
  /** One line the requester can act on. */
  fix: string;
  /** The workflow state that failed, when known. */
  state?: string;
}

export interface ReplyTo {
  /** A bearer capability (valid 30 minutes, 5 posts): never logged. */
  slackResponseUrl?: string;
  slackUserId?: string;
}

export interface TimelineEntry {
  at: string;
  status: EnvironmentStatus;
  note?: string;
}

export interface Environment extends EnvironmentRequest {
  status: EnvironmentStatus;
  createdAt: string;
  updatedAt: string;
  idempotencyKey?: string;
  /** Which channel the request came through: api, slack, webhook, event. */
  source: string;
  /** Step Functions execution name of the current attempt. */
  executionName: string;
  /** The `car-…` id of the CreateAccount request, persisted before the step returns. */
  createRequestId?: string;
  createStartedAt?: string;
  accountId?: string;
  ouId?: string;
  /** Resolved OU path below the root, e.g. `Workloads/Staging`. */
  ouPath?: string;
  /** Where to answer besides the admin's channels: the Slack response_url of a slash command. */
  replyTo?: ReplyTo;
  /** `o-…/r-…/ou-…/*`: the organization path the admin's grant covers for this environment. */
  grantPattern?: string;
  /** The IAM account alias, when one could be set (the switch-role link still uses the account id). */
  alias?: string;
  /** Notification ids already sent, so a re-run step never sends twice. */
  notified?: string[];
  failure?: Failure;
  timeline: TimelineEntry[];
  /** Optimistic-locking counter; every registry write increments it. */
  version: number;
}

export function newEnvironment(request: EnvironmentRequest, opts: { now: Date; source: string; idempotencyKey?: string; replyTo?: ReplyTo }): Environment {
  const at = opts.now.toISOString();
  return {
    ...request,
    status: 'REQUESTED',
    createdAt: at,
    updatedAt: at,
    source: opts.source,
    ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
    ...(opts.replyTo ? { replyTo: opts.replyTo } : {}),
    executionName: request.id,
    timeline: [{ at, status: 'REQUESTED', note: `requested via ${opts.source}${request.requestedBy ? ` by ${request.requestedBy}` : ''}` }],
    version: 0,
  };
}

/**
 * Moves an environment forward. Re-running a step asks for a status it already has (or one it has
 * passed): that is a no-op, which is what makes every step safe to run twice. A final status never changes.
 */
export function advance(env: Environment, to: EnvironmentStatus, now: Date, note?: string, patch: Partial<Environment> = {}): Environment {
  if (isFinal(env.status)) return env;
  if (to !== 'FAILED' && ORDER[to] <= ORDER[env.status]) return { ...env, ...patch };
  const at = now.toISOString();
  return { ...env, ...patch, status: to, updatedAt: at, timeline: [...env.timeline, { at, status: to, ...(note ? { note } : {}) }] };
}

/** Adds a note to the timeline under the current status, once: a re-run step adds nothing. */
export function annotate(env: Environment, now: Date, note: string): Environment {
  if (env.timeline.some((t) => t.note === note)) return env;
  return { ...env, updatedAt: now.toISOString(), timeline: [...env.timeline, { at: now.toISOString(), status: env.status, note }] };
}

/**
 * An environment as recorded, with its colour in the console's current palette: the console stopped
 * accepting the earlier one, and every view (link, profiles, API, notifications, events) starts from
 * the record the registry returns. The request digest follows the colour when it was made from these
 * very fields, so sending the original request again still finds this environment rather than a
 * conflict. The next write stores the current values.
 */
export function withCurrentColor(env: Environment): Environment {
  const color = currentColor(env.color);
  if (color === env.color) return env;
  const requestHash = env.requestHash === requestDigest(env) ? requestDigest({ ...env, color }) : env.requestHash;
  return { ...env, color, requestHash };
}

/** What the API shows of an environment: everything but internal bookkeeping. */
export function publicView(env: Environment) {
  const { version: _version, requestHash: _hash, notified: _notified, replyTo: _replyTo, ...rest } = env;
  return rest;
}
