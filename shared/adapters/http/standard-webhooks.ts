import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../../domain/errors';

/**
 * Standard Webhooks (https://www.standardwebhooks.com/) signing and verifying with node:crypto. The
 * scheme is small: the signature is `v1,` and the base64 of HMAC-SHA256, keyed with the secret's
 * base64-decoded bytes, over `{webhook-id}.{webhook-timestamp}.{body}`; a header may carry several
 * space-separated signatures (key rotation), and a delivery verifies when one `v1` signature matches
 * and its timestamp is within five minutes of now. The reference library (standardwebhooks) does the
 * same with its own JavaScript SHA-256 and base64, which every cold start of the functions that
 * carry it paid for; the tests check this code against that library and the published test vector.
 */

const SECRET_PREFIX = 'whsec_';
/** Standard (padded) base64 of at least one byte. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
/** How far a delivery's timestamp may lie from now, either way. */
const TOLERANCE_SECONDS = 5 * 60;

/**
 * The HMAC key of a signing secret: `whsec_` (optional, as the reference library reads it) and the key
 * in standard base64. Undefined when the secret holds no key or the key is not base64.
 */
export function webhookSigningKey(secret: string): Buffer | undefined {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
}

/** `v1,<base64 HMAC-SHA256>` of `{id}.{timestamp}.{body}`, the timestamp in whole seconds since 1970. */
export function signWebhook(key: Buffer, id: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64')}`;
}

/** Whole seconds since 1970 as the sender wrote them; no sign, fraction, padding or trailing text. */
const TIMESTAMP = /^[1-9][0-9]*$/;

/**
 * Verifies a delivery's `webhook-id`, `webhook-timestamp` and `webhook-signature` against the raw
 * body; throws UnauthorizedError, naming the header when one is missing or malformed. The caller
 * checks the secret first (webhookSecretProblem): a bad one is the operator's mistake, not the sender's.
 *
 * The timestamp must be digits only: the reference verifier reads it with parseInt and signs the
 * number it got, so `1700000000abc` would verify with the signature made for `1700000000`, and the
 * header that was checked would not be the header that was sent. A malformed timestamp is a 401 like
 * any other bad signature header: nothing about the delivery can be trusted until the set verifies.
 */
export function verifyStandardWebhook(secret: string, rawBody: string, headers: Record<string, string | undefined>, nowMs = Date.now()): void {
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
  const refused = (why: string) => new UnauthorizedError(`The webhook signature did not verify: ${why}`);
  const timestamp = Number(sent['webhook-timestamp']);
  const now = Math.floor(nowMs / 1000);
  if (now - timestamp > TOLERANCE_SECONDS) throw refused('Message timestamp too old');
  if (timestamp > now + TOLERANCE_SECONDS) throw refused('Message timestamp too new');
  const key = webhookSigningKey(secret);
  if (!key?.length) throw refused('the signing secret holds no key');
  const expected = Buffer.from(signWebhook(key, sent['webhook-id'], timestamp, rawBody).slice('v1,'.length));
  for (const versioned of sent['webhook-signature'].split(' ')) {
    const [version, signature] = versioned.split(',');
    if (version !== 'v1' || signature === undefined) continue;
    const given = Buffer.from(signature);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return;
  }
  throw refused('No matching signature found');
}
