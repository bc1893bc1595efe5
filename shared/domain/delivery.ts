/**
 * Every message goes out at most once per subject, kind and channel. A send that failed may be tried
 * again only when nothing can have reached the receiver; anything else stays recorded as sent-or-not
 * and is never sent again, with a note saying so.
 */

/** Errors that, by what they mean, come before anything was sent or from a receiver that refused it. */
const NOTHING_SENT_NAMES = new Set([
  // The channel is not set up (a missing secret or URL): nothing was attempted.
  'NotConfiguredError',
  // The destination was refused before any request (a response_url outside the allowed prefixes).
  'InvalidInputError',
  // The receiver answered and refused the message (a 4xx, an AWS client fault).
  'AwsRequestRejectedError',
]);

/**
 * Records on a failed send's error whether anything can have reached the receiver, for errors whose
 * name cannot say: a RetryableAwsError is a 503 or throttling answer (nothing accepted) as often as a
 * timeout after the request went out (perhaps accepted). The channel that knows which it was says so.
 */
export function withDeliveryOutcome<E extends Error>(error: E, outcome: { nothingSent: boolean }): E {
  return Object.assign(error, { nothingSent: outcome.nothingSent });
}

/** Whether a failed send certainly reached no one, so that trying it again cannot send it twice. */
export function nothingSent(error: unknown): boolean {
  const e = error as { name?: unknown; nothingSent?: unknown } | undefined;
  if (typeof e?.nothingSent === 'boolean') return e.nothingSent;
  return typeof e?.name === 'string' && NOTHING_SENT_NAMES.has(e.name);
}

/**
 * Whether an AWS SDK error carries the service's answer (an HTTP status): then AWS refused the
 * request rather than leaving its outcome unknown (a timeout, a dropped connection).
 */
export function answeredByService(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 400;
}

/** The timeline note for a message whose send failed in a way that may still have delivered it. */
export function uncertainDeliveryNote(kind: string, channel: string, error: Pick<Error, 'name'>): string {
  return `the ${kind} notification on ${channel} may not have gone out (${error.name}); it is not sent again, so that it is never sent twice`;
}

/** The timeline note for a message an earlier attempt claimed and was not seen to finish sending (it stopped, or crashed). */
export function interruptedDeliveryNote(kind: string, channel: string): string {
  return `the ${kind} notification on ${channel} may not have gone out: an earlier attempt began sending it and did not record the outcome; it is not sent again, so that it is never sent twice`;
}
