/**
 * How long the state machine waits before asking Organizations again about a creation.
 * Polls start quick (most creations finish in one to a few minutes) and back off to a ceiling,
 * so a long creation costs few state transitions while a short one is noticed promptly.
 */
export interface PollPolicy {
  firstSeconds: number;
  maxSeconds: number;
  factor: number;
  /** Total time a creation may take before the workflow gives up. */
  capSeconds: number;
}

export const DEFAULT_POLL_POLICY: PollPolicy = { firstSeconds: 5, maxSeconds: 30, factor: 1.5, capSeconds: 30 * 60 };

/** The wait before poll number `polls + 1`, never past the cap. Whole seconds, at least 1 (the Wait state needs an integer). */
export function nextPollDelay(policy: PollPolicy, polls: number, elapsedSeconds: number): number {
  const backoff = Math.min(policy.maxSeconds, policy.firstSeconds * Math.pow(policy.factor, polls));
  const remaining = policy.capSeconds - elapsedSeconds;
  return Math.max(1, Math.ceil(Math.min(backoff, Math.max(remaining, 1))));
}
