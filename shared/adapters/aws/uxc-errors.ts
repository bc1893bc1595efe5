import type { AccountColor } from '../../domain/colors';
import { errorName, mapUnlistedAwsError, rejectedError, retryableError } from './errors';

/**
 * How a refused account colour reaches the domain: the error a UXC call throws, which of them are
 * worth another attempt, and the domain error (with a fix) each one becomes. Free of the signer and
 * of any SDK client, so the simulated organization's AccountSetup words its refusals the same way
 * without loading them.
 */

/**
 * What a failed UXC call throws, shaped like the SDK's service exceptions (name = AWS's error code,
 * `$fault`, `$metadata.httpStatusCode`) so the adapters' shared error helpers read it as they read
 * any SDK error. `$fault` is undefined when no answer came back at all (`network`).
 */
export class UxcCallError extends Error {
  readonly $fault?: 'client' | 'server';
  readonly $metadata: { httpStatusCode?: number };
  /** The invalid fields a ValidationException named (API reference: `fieldList`). */
  readonly fieldList?: unknown;
  readonly network: boolean;

  constructor(name: string, message: string, fault: 'client' | 'server' | 'network', details: { status?: number; fieldList?: unknown; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = name;
    this.network = fault === 'network';
    if (fault !== 'network') this.$fault = fault;
    this.$metadata = { httpStatusCode: details.status };
    if (details.fieldList !== undefined) this.fieldList = details.fieldList;
  }
}

const THROTTLES = new Set(['ThrottlingException', 'TooManyRequestsException']);

export function isThrottledUxcError(error: UxcCallError): boolean {
  return THROTTLES.has(error.name) || error.$metadata.httpStatusCode === 429;
}

/** Worth another attempt: throttled (by name or by 429), a server fault, or no answer at all. */
export function isRetryableUxcError(error: UxcCallError): boolean {
  return error.network || error.$fault === 'server' || isThrottledUxcError(error);
}

const UXC = { service: 'UXC' };
const OPERATION = 'UpdateAccountCustomizations';

function byHand(color: AccountColor): string {
  return `set it by hand with the account's own credentials (aws uxc update-account-customizations --account-color ${color})`;
}

/**
 * A refused colour as the domain errors every adapter throws (RetryableAwsError once the retries are
 * spent, AwsRequestRejectedError otherwise), each with a fix an operator can act on: the account is
 * usable without its colour, so every fix ends in setting it by hand. Anything that is not a UXC
 * answer (a defect) goes through the shared fallback and stays what it was.
 */
export function mapUxcError(error: unknown, color: AccountColor): Error {
  if (!(error instanceof UxcCallError)) return mapUnlistedAwsError(OPERATION, error, UXC);
  if (isRetryableUxcError(error)) {
    return retryableError(OPERATION, error, { ...UXC, fix: `nothing to change: UXC was still throttling, failing or out of reach after Switchyard's retries; ${byHand(color)}` });
  }
  const name = errorName(error);
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return rejectedError(OPERATION, error, {
      ...UXC,
      fix: `ConfigureAccount's session allows uxc:UpdateAccountCustomizations, uxc:PutAccountColor and uxc:DeleteAccountColor, so look for a service control policy or permissions boundary denying them in this account; or ${byHand(color)}`,
    });
  }
  if (name === 'ValidationException') {
    const fields = Array.isArray(error.fieldList) ? error.fieldList.map((f) => (f as { name?: unknown } | null)?.name).filter((n): n is string => typeof n === 'string') : [];
    return rejectedError(OPERATION, error, { ...UXC, ...(fields.length ? { detail: `fields ${fields.join(', ')}` } : {}), fix: `this is a defect in the request Switchyard sent: report it with this message, and ${byHand(color)}` });
  }
  return rejectedError(OPERATION, error, { ...UXC, fix: `look up UXC ${name} for UpdateAccountCustomizations in the AWS documentation; the account works without its colour, so ${byHand(color)}` });
}
