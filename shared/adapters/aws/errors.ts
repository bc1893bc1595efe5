import { maskEmail } from '../../domain/email';
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

const EMAIL_LIKE = /[^\s@<>()"',;:[\]]+@[^\s@<>()"',;:[\]]+/g;

/**
 * The service's message with any address masked: AWS quotes emails back ("...failed the check:
 * admin@example.com"), and these messages end up in logs and in the environment's failure record.
 */
export function errorMessage(error: unknown): string {
  const message = (error as ErrorLike | undefined)?.message;
  const text = typeof message === 'string' && message ? message : String(error);
  return text.replace(EMAIL_LIKE, (address) => maskEmail(address));
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

export function retryableError(operation: string, error: unknown): RetryableAwsError {
  const name = errorName(error);
  return new RetryableAwsError(`${operation} did not go through this time (${name}: ${errorMessage(error)}); it is safe to retry.`, name);
}

export function rejectedError(operation: string, error: unknown, detail?: string): AwsRequestRejectedError {
  const name = errorName(error);
  const what = detail ? `${name} ${detail}` : name;
  return new AwsRequestRejectedError(`AWS rejected ${operation} (${what}): ${errorMessage(error)}`, name);
}

/**
 * The fallback every adapter applies after its service-specific cases: transient → retryable,
 * any other AWS service exception → rejected (so the state machine sees a domain name), and
 * anything that did not come from AWS (a bug) unchanged.
 */
export function mapUnlistedAwsError(operation: string, error: unknown): Error {
  if (isTransient(error) || awsFault(error) === 'server') return retryableError(operation, error);
  if (awsFault(error) === 'client') return rejectedError(operation, error);
  return error instanceof Error ? error : new Error(String(error));
}
