import * as z from 'zod';
import { currentColor } from './colors';
import { deferredSchema } from './deferred-schema';
import { InvalidStoredRecordError } from './errors';
import { requestDigest } from './naming';
import type { EnvironmentRequest } from './request';

export const ENVIRONMENT_STATUSES = ['REQUESTED', 'CREATING', 'PLACING', 'NOTIFYING', 'READY', 'FAILED'] as const;
export type EnvironmentStatus = (typeof ENVIRONMENT_STATUSES)[number];

/** The happy path, in order. FAILED can follow any non-final status. */
const ORDER: Record<EnvironmentStatus, number> = { REQUESTED: 0, CREATING: 1, PLACING: 2, NOTIFYING: 3, READY: 4, FAILED: 5 };

export function isFinal(status: EnvironmentStatus): boolean {
  return status === 'READY' || status === 'FAILED';
}

/**
 * An environment as the registry keeps it, in the form this release writes (ENVIRONMENT_SCHEMA_VERSION).
 * It checks the record's shape, not the request rules: those held when the request came in, and a
 * record must stay readable after a rule is tightened.
 */
export const EnvironmentSchema = deferredSchema(() => {
  const status = z.enum(ENVIRONMENT_STATUSES);
  const optional = z.string().optional();
  return z.object({
    // The request, normalised (see EnvironmentRequest).
    id: z.string().min(1),
    name: z.string(),
    email: z.string(),
    ou: z.string(),
    color: z.string(),
    tags: z.record(z.string(), z.string()),
    requestedBy: optional,
    requestHash: z.string(),
    status,
    createdAt: z.string(),
    updatedAt: z.string(),
    idempotencyKey: optional,
    /** Which channel the request came through: api, slack, webhook, event. */
    source: z.string(),
    /** Step Functions execution name of the current attempt. */
    executionName: z.string(),
    /** The `car-…` id of the CreateAccount request, persisted before the step returns. */
    createRequestId: optional,
    createStartedAt: optional,
    accountId: optional,
    ouId: optional,
    /** Resolved OU path below the root, e.g. `Workloads/Staging`. */
    ouPath: optional,
    /** Where to answer besides the admin's channels: the Slack response_url of a slash command (a bearer capability, valid 30 minutes, 5 posts: never logged). */
    replyTo: z.object({ slackResponseUrl: optional, slackUserId: optional }).optional(),
    /** `o-…/r-…/ou-…/*`: the organization path the admin's grant covers for this environment. */
    grantPattern: optional,
    /** The IAM account alias, when one could be set (the switch-role link still uses the account id). */
    alias: optional,
    /** Notifications sent, as `kind:channel`, so a re-run step never sends them again. */
    notified: z.array(z.string()).optional(),
    /**
     * `code`: a FailureReason from Organizations (`EMAIL_ALREADY_EXISTS`), the code AWS refused a call
     * with (`AccessDeniedException`), or an error name (`AccountCreationTimedOutError`); `fix`: one line
     * the requester can act on; `state`: the workflow state that failed, when known.
     */
    failure: z.object({ code: z.string(), message: z.string(), fix: z.string(), state: optional }).optional(),
    timeline: z.array(z.object({ at: z.string(), status, note: optional })),
    /** Optimistic-locking counter; every registry write increments it. */
    version: z.number().int().min(0),
  });
});

export type Environment = z.infer<typeof EnvironmentSchema>;
export type Failure = NonNullable<Environment['failure']>;
export type ReplyTo = NonNullable<Environment['replyTo']>;
export type TimelineEntry = Environment['timeline'][number];

/** The form of environment records this release writes. A record without `schemaVersion` is version 1. */
export const ENVIRONMENT_SCHEMA_VERSION = 2;

type StoredRecord = Record<string, unknown>;

/**
 * Version 1 → 2: colours in the console's current palette. The console stopped accepting its earlier
 * one, and every view (link, profiles, API, notifications, events) starts from the record the registry
 * returns. The request digest follows the colour when it was made from these very fields, so sending
 * the original request again still finds this environment rather than a conflict. Version 1 records
 * may hold either palette; requests only ever record the current one.
 */
function currentPalette(record: StoredRecord): StoredRecord {
  if (typeof record.color !== 'string') return record;
  const color = currentColor(record.color);
  if (color === record.color) return record;
  const request = record as Parameters<typeof requestDigest>[0];
  const requestHash = record.requestHash === requestDigest(request) ? requestDigest({ ...request, color }) : record.requestHash;
  return { ...record, color, requestHash };
}

/**
 * How a stored record is brought up to date, one version at a time: MIGRATIONS[n - 1] takes a version
 * n record to version n + 1. Each is pure, and is applied on read; the next write stores the result.
 * A change to the record's form adds one here and raises ENVIRONMENT_SCHEMA_VERSION.
 */
const MIGRATIONS: ReadonlyArray<(record: StoredRecord) => StoredRecord> = [currentPalette];

/** An environment as it is written: the record and the version of its form. */
export function environmentRecord(env: Environment): Environment & { schemaVersion: number } {
  return { ...env, schemaVersion: ENVIRONMENT_SCHEMA_VERSION };
}

/**
 * A stored environment (its table keys already removed) brought up to date and checked: the one way
 * a record becomes an Environment. Throws InvalidStoredRecordError naming the record and every field at
 * fault, rather than handing a use case something that fails later somewhere else.
 */
export function environmentFromRecord(record: StoredRecord): Environment {
  const { schemaVersion = 1, ...fields } = record;
  const id = typeof record.id === 'string' ? record.id : '(no id)';
  if (!Number.isInteger(schemaVersion) || (schemaVersion as number) < 1 || (schemaVersion as number) > ENVIRONMENT_SCHEMA_VERSION) {
    throw new InvalidStoredRecordError(
      `The stored environment ${id} has schema version ${JSON.stringify(schemaVersion)}; this release reads versions 1 to ${ENVIRONMENT_SCHEMA_VERSION} (was it written by a newer release?).`,
    );
  }
  const migrated = MIGRATIONS.slice((schemaVersion as number) - 1).reduce((current, migrate) => migrate(current), fields as StoredRecord);
  const parsed = EnvironmentSchema.safeParse(migrated);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`);
    throw new InvalidStoredRecordError(`The stored environment ${id} (schema version ${schemaVersion as number}) is not valid: ${problems.join('; ')}.`);
  }
  return parsed.data;
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

/** What the API shows of an environment: everything but internal bookkeeping. */
export function publicView(env: Environment) {
  const { version: _version, requestHash: _hash, notified: _notified, replyTo: _replyTo, ...rest } = env;
  return rest;
}
