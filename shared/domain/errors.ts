import type { AwsProblem } from './aws-problem';

/**
 * Every error that crosses a boundary. Each class sets `this.name` to a string literal because
 * Step Functions matches `ErrorEquals` against the name and minifiers rename classes. Each takes
 * `{ cause }` (ES2022) last, so an error wrapping another (an SDK exception) keeps it for the logs.
 * A unit test checks that the state machine names only these, and names each one a task can throw.
 */

export interface FieldError {
  /** Dotted path of the offending field, e.g. `email` or `tags.0.key`. */
  field: string;
  message: string;
}

/** Errors the caller caused: shown to them as a 4xx with a stable code. */
export abstract class SwitchyardError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** More for the caller, beside the code and message (e.g. the decision a second decision lost to). */
  details?: Record<string, unknown>;
}

export class InvalidInputError extends SwitchyardError {
  readonly status = 400;
  readonly code = 'INVALID_INPUT';
  constructor(
    message: string,
    readonly fields: FieldError[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'InvalidInputError';
  }
}

/** A signature or credential did not verify: nothing was started. `fields` names a malformed signature header. */
export class UnauthorizedError extends SwitchyardError {
  readonly status = 401;
  readonly code = 'UNAUTHORIZED';
  constructor(
    message: string,
    readonly fields: FieldError[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'UnauthorizedError';
  }
}

/** A trigger whose secret is not configured in this deployment. */
export class NotConfiguredError extends SwitchyardError {
  readonly status = 503;
  readonly code = 'NOT_CONFIGURED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotConfiguredError';
  }
}

export class NotFoundError extends SwitchyardError {
  readonly status = 404;
  readonly code = 'NOT_FOUND';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotFoundError';
  }
}

export class MethodNotAllowedError extends SwitchyardError {
  readonly status = 405;
  readonly code = 'METHOD_NOT_ALLOWED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MethodNotAllowedError';
  }
}

export class ConflictError extends SwitchyardError {
  readonly status = 409;
  constructor(
    readonly code: 'NAME_TAKEN' | 'EMAIL_TAKEN' | 'IDEMPOTENCY_KEY_REUSED' | 'ALREADY_DECIDED' | 'NOT_AWAITING_APPROVAL' | 'NOT_LEASED',
    message: string,
    readonly fields: FieldError[] = [],
    options?: ErrorOptions & { details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.name = 'ConflictError';
    if (options?.details) this.details = options.details;
  }
}

/** The caller is who they say, but may not do this (decide an approval they are not an approver of, or their own request). */
export class ForbiddenError extends SwitchyardError {
  readonly status = 403;
  constructor(
    readonly code: 'NOT_AN_APPROVER' | 'SELF_APPROVAL',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ForbiddenError';
  }
}

export class PayloadTooLargeError extends SwitchyardError {
  readonly status = 413;
  readonly code = 'PAYLOAD_TOO_LARGE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PayloadTooLargeError';
  }
}

export class UnsupportedMediaTypeError extends SwitchyardError {
  readonly status = 415;
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** The OU path or id in a request does not exist (and creating OUs is not enabled). */
export class OuNotFoundError extends SwitchyardError {
  readonly status = 422;
  readonly code = 'OU_NOT_FOUND';
  readonly fields: FieldError[] = [{ field: 'ou', message: 'does not exist in the organization' }];
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OuNotFoundError';
  }
}

/** An environment that cannot be closed as asked: not READY, not an account Switchyard created, or the management account. */
export class NotClosableError extends SwitchyardError {
  readonly status = 409;
  readonly code = 'NOT_CLOSABLE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotClosableError';
  }
}

/** The organization has no room for another account (quota, or AWS's own limit). */
export class AccountQuotaExceededError extends SwitchyardError {
  readonly status = 422;
  readonly code = 'ACCOUNT_QUOTA_EXCEEDED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AccountQuotaExceededError';
  }
}

/**
 * What AWS answered, on the errors that carry it: the service, its error code and message, the fix
 * (see aws-problem.ts), and the SDK's exception as `cause` for the logs.
 */
export interface AwsErrorDetails {
  problem?: AwsProblem;
  /** The call AWS refused (`AttachGroupPolicy`), for logs and callers; the text names it only where the fix needs it. */
  operation?: string;
  cause?: unknown;
}

/**
 * Throttling or a concurrent modification at AWS: safe to retry after a jittered backoff.
 * The state machine retries it; an HTTP caller gets 503 with Retry-After.
 */
export class RetryableAwsError extends SwitchyardError {
  readonly status = 503;
  readonly code = 'RETRY_LATER';
  readonly service?: string;
  /** The code AWS sent (`ThrottlingException`, `ConcurrentModification`). */
  readonly awsCode?: string;
  readonly awsMessage?: string;
  readonly fix?: string;
  readonly operation?: string;
  constructor(
    message: string,
    readonly awsError?: string,
    details: AwsErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'RetryableAwsError';
    Object.assign(this, problemFields(details.problem), details.operation ? { operation: details.operation } : {});
  }
}

/** AWS refused for a reason that retrying will not fix (permissions, organization not enabled, constraint). */
export class AwsRequestRejectedError extends SwitchyardError {
  readonly status = 502;
  readonly code = 'AWS_REJECTED';
  readonly service?: string;
  /** The code AWS sent (`NoSuchEntity`, `AccessDeniedException`). */
  readonly awsCode?: string;
  readonly awsMessage?: string;
  readonly fix?: string;
  readonly operation?: string;
  constructor(
    message: string,
    readonly awsError: string,
    details: AwsErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'AwsRequestRejectedError';
    Object.assign(this, problemFields(details.problem), details.operation ? { operation: details.operation } : {});
  }
}

function problemFields(problem: AwsProblem | undefined) {
  return problem ? { service: problem.service, awsCode: problem.code, awsMessage: problem.message, fix: problem.fix } : {};
}

/** Organizations did not finish creating the account within the configured cap. */
export class AccountCreationTimedOutError extends SwitchyardError {
  readonly status = 504;
  readonly code = 'ACCOUNT_CREATION_TIMED_OUT';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AccountCreationTimedOutError';
  }
}

/** A workflow step found the environment in a state it cannot act on (deleted record, unknown id). */
export class EnvironmentStateError extends SwitchyardError {
  readonly status = 409;
  readonly code = 'ENVIRONMENT_STATE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EnvironmentStateError';
  }
}

/** Switch-role details exist only once the account is created and placed; asked for earlier, the reply says where it stands. */
export class NotReadyError extends SwitchyardError {
  readonly status = 409;
  readonly code = 'NOT_READY';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotReadyError';
  }
}

/** The new account's organization access role cannot be assumed yet: it appears seconds after the account. */
export class RoleNotReadyError extends SwitchyardError {
  readonly status = 503;
  readonly code = 'ROLE_NOT_READY';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RoleNotReadyError';
  }
}

/** The admin grant would need more IAM policies than the principal may hold. */
export class GrantCapacityError extends SwitchyardError {
  readonly status = 422;
  readonly code = 'GRANT_CAPACITY';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GrantCapacityError';
  }
}

/**
 * A registry record that does not match its schema even after migration (written by hand, damaged,
 * or by a newer release): the fault is the stored data's, so a 500, with the details in the log.
 */
export class InvalidStoredRecordError extends SwitchyardError {
  readonly status = 500;
  readonly code = 'INVALID_STORED_RECORD';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidStoredRecordError';
  }
}

/** Names the state machine retries (with backoff and full jitter). */
export const RETRYABLE_ERROR_NAMES = ['RetryableAwsError'] as const;

/**
 * Refusals that end a creation for good: CreateAccount gives its creation slot back on these. The
 * state machine catches them by name (with NotFoundError, NotConfiguredError and
 * InvalidStoredRecordError) and never retries them.
 */
export const TERMINAL_ERROR_NAMES = [
  'InvalidInputError',
  'OuNotFoundError',
  'AccountQuotaExceededError',
  'AwsRequestRejectedError',
  'AccountCreationTimedOutError',
  'EnvironmentStateError',
  'GrantCapacityError',
] as const;
