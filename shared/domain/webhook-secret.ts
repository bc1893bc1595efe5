/**
 * Kept apart from the Standard Webhooks adapter: configuration checks it in every function, and
 * importing the adapter would bundle the signer's SHA-256 and base64 code into each of them.
 */

/** `whsec_` and the key in standard (padded) base64, as Standard Webhooks writes secrets. */
const SECRET_FORMAT = /^whsec_((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$/;

/**
 * What is wrong with a signing secret, or undefined when it is usable. Never quotes the secret. The
 * secret is the operator's to set, so a bad one is a configuration error, not the sender's: every
 * delivery would otherwise fail its signature check and be blamed on the sender.
 */
export function webhookSecretProblem(secret: string): string | undefined {
  const key = SECRET_FORMAT.exec(secret)?.[1];
  if (key === undefined) return 'must be whsec_ followed by the key in base64 (as Standard Webhooks writes secrets)';
  if (!key) return 'must hold a key after whsec_';
  return undefined;
}
