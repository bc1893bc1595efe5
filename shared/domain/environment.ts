import { currentColor } from './colors';
import { InvalidStoredRecordError } from './errors';
import { requestDigest } from './naming';
import { arrayOf, integer, nonEmptyString, number, object, oneOf, optional, readShape, recordOf, string } from './record-shape';
import type { EnvironmentRequest } from './request';

export const ENVIRONMENT_STATUSES = ['PENDING_APPROVAL', 'REQUESTED', 'CREATING', 'PLACING', 'NOTIFYING', 'READY', 'FAILED', 'REJECTED', 'CLOSE_QUEUED', 'CLOSING', 'CLOSED'] as const;
export type EnvironmentStatus = (typeof ENVIRONMENT_STATUSES)[number];

/**
 * The happy path, in order. FAILED can follow any non-final status; REJECTED only PENDING_APPROVAL
 * (an approver said no, or nobody decided in time), and no account exists then. A READY environment
 * is closed along CLOSE_QUEUED (waiting for AWS's closing quota) and CLOSING to CLOSED.
 */
const ORDER: Record<EnvironmentStatus, number> = {
  PENDING_APPROVAL: -1,
  REQUESTED: 0,
  CREATING: 1,
  PLACING: 2,
  NOTIFYING: 3,
  READY: 4,
  FAILED: 5,
  REJECTED: 5,
  CLOSE_QUEUED: 6,
  CLOSING: 7,
  CLOSED: 8,
};

/** Provisioning is over: READY, FAILED, REJECTED, CLOSED. A closing in flight is not final. */
export function isFinal(status: EnvironmentStatus): boolean {
  return status === 'READY' || status === 'FAILED' || status === 'REJECTED' || status === 'CLOSED';
}

/**
 * Waits for an approver's decision: a request in a protected OU (PENDING_APPROVAL), or the closing of
 * a READY environment in one (its approval's action is `close`; nothing is closed until a yes).
 */
export function awaitsApproval(env: Pick<Environment, 'status' | 'approval'>): boolean {
  const approval = env.approval;
  if (!approval || approval.decision) return false;
  return approval.action === 'close' ? env.status === 'READY' : env.status === 'PENDING_APPROVAL';
}

/** Whether an environment's pending or decided approval is for closing it. */
export function isCloseApproval(approval: Pick<Approval, 'action'> | undefined): boolean {
  return approval?.action === 'close';
}

/**
 * What tells one question to the approvers from another, in delivery records, webhook ids and outbox
 * files: `approval` for a request, `close-approval-<ms>` for each time closing was asked (a closing
 * rejected and asked again is a new question).
 */
export function approvalKey(env: Pick<Environment, 'approval'>): string {
  const approval = env.approval;
  return approval?.action === 'close' ? `close-approval-${Date.parse(approval.requestedAt)}` : 'approval';
}

/** On the way from READY to CLOSED. */
export const CLOSING_STATUSES: readonly EnvironmentStatus[] = ['CLOSE_QUEUED', 'CLOSING'];

/**
 * An environment as the registry keeps it, in the form this release writes (ENVIRONMENT_SCHEMA_VERSION).
 * It checks the record's shape, not the request rules: those held when the request came in, and a
 * record must stay readable after a rule is tightened.
 */
const readEnvironment = (() => {
  const status = oneOf(ENVIRONMENT_STATUSES);
  const optionalString = optional(string);
  return object({
    // The request, normalised (see EnvironmentRequest).
    id: nonEmptyString,
    name: string,
    email: string,
    ou: string,
    color: string,
    tags: recordOf(string),
    requestedBy: optionalString,
    requestHash: string,
    status,
    createdAt: string,
    updatedAt: string,
    idempotencyKey: optionalString,
    /** Which channel the request came through: api, slack, webhook, event. */
    source: string,
    /** Step Functions execution name of the current attempt. */
    executionName: string,
    /** The `car-…` id of the CreateAccount request, persisted before the step returns. */
    createRequestId: optionalString,
    createStartedAt: optionalString,
    accountId: optionalString,
    ouId: optionalString,
    /** Resolved OU path below the root, e.g. `Workloads/Staging`. */
    ouPath: optionalString,
    /** Where to answer besides the admin's channels: the Slack response_url of a slash command (a bearer capability, valid 30 minutes, 5 posts: never logged). */
    replyTo: optional(object({ slackResponseUrl: optionalString, slackUserId: optionalString })),
    /** `o-…/r-…/ou-…/*`: the organization path the admin's grant covers for this environment. */
    grantPattern: optionalString,
    /** The IAM account alias, when one could be set (the switch-role link still uses the account id). */
    alias: optionalString,
    /** Notifications sent, as `kind:channel`, so a re-run step never sends them again. */
    notified: optional(arrayOf(string)),
    /**
     * `code`: a FailureReason from Organizations (`EMAIL_ALREADY_EXISTS`), the code AWS refused a call
     * with (`AccessDeniedException`), or an error name (`AccountCreationTimedOutError`); `fix`: one line
     * the requester can act on; `state`: the workflow state that failed, when known.
     */
    failure: optional(object({ code: string, message: string, fix: string, state: optionalString })),
    /**
     * For a request in a protected OU (APPROVAL_OUS): who asked (the authenticated principal, see
     * shared/domain/approval.ts), who may decide and until when, and the one decision once made.
     */
    approval: optional(
      object({
        /** What waits for the decision: creating the account (the default, PENDING_APPROVAL) or closing it (the environment stays READY meanwhile). */
        action: optional(oneOf(['create', 'close'])),
        /** For a closing: what asked for it, carried into `closing` once approved. */
        closeReason: optional(oneOf(['lease', 'api', 'slack'])),
        ou: string,
        requester: optionalString,
        approvers: arrayOf(string),
        requestedAt: string,
        expiresAt: string,
        decision: optional(oneOf(['APPROVED', 'REJECTED'])),
        decidedBy: optionalString,
        decidedAt: optionalString,
        /** `api`, `slack`, or `timeout` for APPROVAL_EXPIRED. */
        via: optionalString,
        comment: optionalString,
        reason: optionalString,
      }),
    ),
    /** A lease: its length, and from READY on when it ends, which reminders went out and each extension. */
    lease: optional(
      object({
        seconds: integer(1),
        /** `ttl` from the request, or `default` from LEASE_DEFAULTS. */
        from: oneOf(['ttl', 'default']),
        expiresAt: optionalString,
        /** Reminders sent, by how many seconds before the end they were due. */
        reminded: optional(arrayOf(number)),
        extended: optional(arrayOf(object({ at: string, by: optionalString, expiresAt: string }))),
      }),
    ),
    /** Closing the account: why, who asked, and how far it got. */
    closing: optional(
      object({
        reason: oneOf(['lease', 'api', 'slack']),
        requestedAt: string,
        requestedBy: optionalString,
        /** Increments per execution of DecommissionEnvironment, which is named after it. */
        attempt: integer(1),
        /** CLOSE_QUEUED: the earliest time the closing quota has room. */
        notBefore: optionalString,
        /** When CloseAccount was accepted. */
        closeRequestedAt: optionalString,
        closedAt: optionalString,
        closedOuId: optionalString,
      }),
    ),
    timeline: arrayOf(object({ at: string, status, note: optionalString })),
    /** Optimistic-locking counter; every registry write increments it. */
    version: integer(0),
  });
})();

export type Environment = ReturnType<typeof readEnvironment>;
export type Failure = NonNullable<Environment['failure']>;
export type ReplyTo = NonNullable<Environment['replyTo']>;
export type Approval = NonNullable<Environment['approval']>;
export type Lease = NonNullable<Environment['lease']>;
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
  const read = readShape(readEnvironment, migrated);
  if (!read.ok) {
    const problems = read.issues.slice(0, 10).map((issue) => `${issue.path || '(record)'}: ${issue.message}`);
    throw new InvalidStoredRecordError(`The stored environment ${id} (schema version ${schemaVersion as number}) is not valid: ${problems.join('; ')}.`);
  }
  return read.value;
}

export function newEnvironment(
  request: EnvironmentRequest,
  opts: { now: Date; source: string; idempotencyKey?: string; replyTo?: ReplyTo; approval?: Approval; lease?: Pick<Lease, 'seconds' | 'from'> },
): Environment {
  // The ttl asked for is kept as the lease (and in the request digest), not as a field of its own.
  const { ttlSeconds: _ttl, ...fields } = request;
  const at = opts.now.toISOString();
  const status = opts.approval ? 'PENDING_APPROVAL' : 'REQUESTED';
  const asked = opts.approval
    ? [{ at, status, note: `waiting for approval: ${opts.approval.ou} is protected; ${opts.approval.approvers.join(', ')} may decide until ${opts.approval.expiresAt}` } as const]
    : [];
  return {
    ...fields,
    status,
    createdAt: at,
    updatedAt: at,
    source: opts.source,
    ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
    ...(opts.replyTo ? { replyTo: opts.replyTo } : {}),
    executionName: request.id,
    ...(opts.approval ? { approval: opts.approval } : {}),
    ...(opts.lease ? { lease: { seconds: opts.lease.seconds, from: opts.lease.from } } : {}),
    timeline: [{ at, status, note: `requested via ${opts.source}${request.requestedBy ? ` by ${request.requestedBy}` : ''}${opts.approval?.requester ? ` (${opts.approval.requester})` : ''}` }, ...asked],
    version: 0,
  };
}

/**
 * Moves an environment forward. Re-running a step asks for a status it already has (or one it has
 * passed): that is a no-op, which is what makes every step safe to run twice. A final status never changes.
 */
export function advance(env: Environment, to: EnvironmentStatus, now: Date, note?: string, patch: Partial<Environment> = {}): Environment {
  // READY is final for provisioning, and where a closing starts; a closing only ever follows READY.
  const closing = to === 'CLOSE_QUEUED' || to === 'CLOSING' || to === 'CLOSED';
  if (closing && env.status !== 'READY' && !CLOSING_STATUSES.includes(env.status)) return env;
  if (isFinal(env.status) && !(closing && env.status === 'READY')) return env;
  if (to === 'REJECTED' && env.status !== 'PENDING_APPROVAL') return env;
  // A closing goes back and forth between CLOSING and CLOSE_QUEUED while it waits for AWS's quota.
  const requeued = CLOSING_STATUSES.includes(env.status) && CLOSING_STATUSES.includes(to) && env.status !== to;
  if (!requeued && to !== 'FAILED' && to !== 'REJECTED' && ORDER[to] <= ORDER[env.status]) return { ...env, ...patch };
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
