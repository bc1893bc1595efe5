import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's replay window: a request signed more than five minutes from now (either way) is refused. */
export const SLACK_MAX_CLOCK_SKEW_SECONDS = 300;

const SIGNATURE_VERSION = 'v0';
/** Seconds since the epoch, as Slack sends them; the length bound keeps Number() exact. */
const TIMESTAMP_PATTERN = /^[0-9]{1,12}$/;

export interface SlackSignatureInput {
  /** The app's signing secret (Basic Information page of the Slack app). */
  signingSecret: string;
  /** `X-Slack-Request-Timestamp`. */
  timestamp: string | undefined | null;
  /** `X-Slack-Signature`. */
  signature: string | undefined | null;
  /** The body exactly as received: re-encoding the form would change the bytes and the signature. */
  rawBody: string;
  now: Date;
}

export type SlackSignatureResult = { ok: true } | { ok: false; reason: 'missing-headers' | 'stale-timestamp' | 'bad-signature' };

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`: what Slack puts in `X-Slack-Signature`. */
export function signSlackRequest(signingSecret: string, timestamp: string, rawBody: string): string {
  const digest = createHmac('sha256', signingSecret).update(`${SIGNATURE_VERSION}:${timestamp}:${rawBody}`, 'utf8').digest('hex');
  return `${SIGNATURE_VERSION}=${digest}`;
}

/**
 * Decides whether a request really comes from Slack. The timestamp is checked before the HMAC so a
 * captured request cannot be replayed later, and the comparison runs in constant time so the
 * signature cannot be guessed byte by byte from response timings.
 */
export function verifySlackSignature(input: SlackSignatureInput): SlackSignatureResult {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) return { ok: false, reason: 'missing-headers' };

  if (!TIMESTAMP_PATTERN.test(timestamp)) return { ok: false, reason: 'stale-timestamp' };
  const skewSeconds = Math.abs(input.now.getTime() / 1000 - Number(timestamp));
  if (!(skewSeconds <= SLACK_MAX_CLOCK_SKEW_SECONDS)) return { ok: false, reason: 'stale-timestamp' };

  // An empty secret would let anyone who guesses the misconfiguration sign requests: fail closed.
  if (!input.signingSecret) return { ok: false, reason: 'bad-signature' };

  const expected = Buffer.from(signSlackRequest(input.signingSecret, timestamp, input.rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // timingSafeEqual throws on unequal lengths; the expected length is public, so checking it first leaks nothing.
  if (given.length !== expected.length) return { ok: false, reason: 'bad-signature' };
  return timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'bad-signature' };
}

/**
 * What makes one signed request the same request: its timestamp and body, which every copy of it
 * carries unchanged (Slack's retries with `X-Slack-Retry-Num`, a replay inside the 5-minute window).
 * A hash, not the signature, so the key does not change when the signing secret is rotated.
 */
export function slackRequestKey(timestamp: string, rawBody: string): string {
  return `slack:${createHash('sha256').update(`${timestamp}:${rawBody}`, 'utf8').digest('hex')}`;
}
