import type { Webhook } from 'standardwebhooks';
import { UnauthorizedError } from '../../domain/errors';

/**
 * The Standard Webhooks signer/verifier, loaded when a webhook is first signed or verified rather
 * than when the function loads (it brings its own SHA-256 and base64 code, a cold-start cost most
 * invocations of the functions that carry it never need).
 */
export function standardWebhook(secret: string): Webhook {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Webhook: StandardWebhook } = require('standardwebhooks') as typeof import('standardwebhooks');
  return new StandardWebhook(secret);
}


/** Whole seconds since 1970 as the sender wrote them; no sign, fraction, padding or trailing text. */
const TIMESTAMP = /^[1-9][0-9]*$/;

/**
 * Verifies a delivery's `webhook-id`, `webhook-timestamp` and `webhook-signature` against the raw
 * body; throws UnauthorizedError, naming the header when one is missing or malformed.
 *
 * The timestamp is checked here first because the reference verifier reads it with parseInt and signs
 * the number it got: `1700000000abc` would verify with the signature made for `1700000000`, so the
 * header that was checked would not be the header that was sent. A malformed timestamp is a 401 like
 * any other bad signature header: Standard Webhooks' verifiers refuse it as invalid signature headers,
 * and nothing about the delivery can be trusted until the set verifies.
 */
export function verifyStandardWebhook(secret: string, rawBody: string, headers: Record<string, string | undefined>): void {
  const sent = {
    'webhook-id': headers['webhook-id'] ?? '',
    'webhook-timestamp': headers['webhook-timestamp'] ?? '',
    'webhook-signature': headers['webhook-signature'] ?? '',
  };
  const missing = Object.entries(sent).filter(([, value]) => !value).map(([name]) => name);
  if (missing.length) {
    throw new UnauthorizedError(
      `The webhook signature did not verify: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing.`,
      missing.map((field) => ({ field, message: 'is missing' })),
    );
  }
  if (!TIMESTAMP.test(sent['webhook-timestamp'])) {
    throw new UnauthorizedError('The webhook signature did not verify: webhook-timestamp must be whole seconds since 1970, digits only.', [
      { field: 'webhook-timestamp', message: 'must be whole seconds since 1970, digits only' },
    ]);
  }
  try {
    // jsonParse off: the library would otherwise parse the body here and report bad JSON as a bad
    // signature (401); the caller reads the body as what it is (400, or 415 for one that is not JSON).
    standardWebhook(secret).verify(rawBody, sent, { jsonParse: false });
  } catch (error) {
    throw new UnauthorizedError(`The webhook signature did not verify: ${(error as Error).message}`, [], { cause: error });
  }
}
