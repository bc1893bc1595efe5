import { awsFix, formatAwsProblem, maskEmails, retryLaterFix, type AwsCall, type AwsProblem } from '../../domain/aws-problem';
import { AwsRequestRejectedError, RetryableAwsError } from '../../domain/errors';

/**
 * Error-name helpers shared by the AWS adapters. Deliberately free of any @aws-sdk import so each
 * adapter module still bundles only its own client.
 */

/** Names AWS services use for "slow down"; each one is worth a jittered retry. */
const THROTTLING_NAMES = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'SlowDown',
]);

/** Server-side faults that AWS documents as transient. */
const TRANSIENT_SERVER_NAMES = new Set([
  'ServiceException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalServerException',
  'InternalFailure',
  'InternalError',
]);

/** The request never got an answer: the SDK gave up on the connection, not AWS on the request. */
const NETWORK_ERROR_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const NETWORK_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: unknown;
}

export function isThrottling(name: string): boolean {
  return THROTTLING_NAMES.has(name);
}

export function isTransientServerError(name: string): boolean {
  return TRANSIENT_SERVER_NAMES.has(name);
}

export function errorName(error: unknown): string {
  const name = (error as ErrorLike | undefined)?.name;
  return typeof name === 'string' && name ? name : 'Error';
}

/**
 * The service's message with any address masked: AWS quotes emails back ("...failed the check:
 * admin@example.com"), and these messages end up in logs and in the environment's failure record.
 */
export function errorMessage(error: unknown): string {
  const message = (error as ErrorLike | undefined)?.message;
  const text = typeof message === 'string' && message ? message : String(error);
  return maskEmails(text);
}

/**
 * The error code AWS sent. Query-protocol services (IAM, STS, SNS) name errors without the SDK's
 * `Exception` suffix (`NoSuchEntity`), and the SDK keeps that code as `Code`; JSON services' names are the code.
 */
export function awsErrorCode(error: unknown): string {
  const code = (error as { Code?: unknown } | undefined)?.Code;
  return typeof code === 'string' && code ? code : errorName(error);
}

/** How an adapter names the call for the text the requester sees: the service, and what a fix may need. */
export interface CallContext extends Partial<Omit<AwsCall, 'operation'>> {
  /** Added to AWS's message, e.g. a FailureReason the exception carried. */
  detail?: string;
  /** Overrides the fix the rules in aws-problem.ts would give. */
  fix?: string;
}

function problemOf(operation: string, error: unknown, context: CallContext): AwsProblem {
  const service = context.service ?? 'AWS';
  const code = awsErrorCode(error);
  const message = errorMessage(error);
  const fix = context.fix ?? awsFix({ ...context, service, operation }, code, message);
  const detail = context.detail && (/^\(.*\)$/.test(context.detail) ? context.detail : `(${context.detail})`);
  return { service, code, message: detail ? `${message.replace(/\.?$/, '')} ${detail}.` : message, fix };
}

export function isNetworkFailure(error: unknown): boolean {
  const e = error as ErrorLike | undefined;
  return NETWORK_ERROR_NAMES.has(errorName(error)) || (typeof e?.code === 'string' && NETWORK_ERROR_CODES.has(e.code));
}

/** Which side AWS blamed, for exceptions the SDK deserialised from a service response. */
export function awsFault(error: unknown): 'client' | 'server' | undefined {
  const fault = (error as ErrorLike | undefined)?.$fault;
  return fault === 'client' || fault === 'server' ? fault : undefined;
}

/** Throttling, a transient server fault or a dropped connection: retrying later can succeed. */
export function isTransient(error: unknown): boolean {
  const name = errorName(error);
  return isThrottling(name) || isTransientServerError(name) || isNetworkFailure(error);
}

export function retryableError(operation: string, error: unknown, context: CallContext = {}): RetryableAwsError {
  const problem = problemOf(operation, error, { fix: retryLaterFix(context.service ?? 'AWS'), ...context });
  return new RetryableAwsError(formatAwsProblem(problem), errorName(error), { problem, operation, cause: error });
}

/** `context` may be the older form, a detail string, for adapters that name no service. */
export function rejectedError(operation: string, error: unknown, context: CallContext | string = {}): AwsRequestRejectedError {
  const problem = problemOf(operation, error, typeof context === 'string' ? { detail: context } : context);
  return new AwsRequestRejectedError(formatAwsProblem(problem), errorName(error), { problem, operation, cause: error });
}

/**
 * The fallback every adapter applies after its service-specific cases: transient → retryable,
 * any other AWS service exception → rejected (so the state machine sees a domain name), and
 * anything that did not come from AWS (a bug) unchanged.
 */
export function mapUnlistedAwsError(operation: string, error: unknown, context: CallContext = {}): Error {
  if (isTransient(error) || awsFault(error) === 'server') return retryableError(operation, error, context);
  if (awsFault(error) === 'client') return rejectedError(operation, error, context);
  return error instanceof Error ? error : new Error(String(error), { cause: error });
}
