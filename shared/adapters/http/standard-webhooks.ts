import type { Webhook } from 'standardwebhooks';

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
