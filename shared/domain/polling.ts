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

/**
 * The wait before poll number `polls + 1`, never past the cap. Whole seconds, at least 1 (the Wait
 * state needs an integer).
 *
 * With `expectedSeconds` (what recent creations took), it is adaptive: wait until the creation is
 * expected to be done (in steps of at most maxSeconds), then poll so that the delay between the
 * account existing and it being noticed stays within max(2 s, 10% of the time taken). Without a
 * history it backs off from firstSeconds by `factor` to maxSeconds.
 */
export function nextPollDelay(policy: PollPolicy, polls: number, elapsedSeconds: number, expectedSeconds?: number): number {
  let wait: number;
  if (expectedSeconds !== undefined && expectedSeconds > 0) {
    wait = elapsedSeconds < expectedSeconds ? expectedSeconds - elapsedSeconds : Math.max(OVERDUE_MIN_SECONDS, OVERDUE_SHARE * elapsedSeconds);
    wait = Math.min(policy.maxSeconds, wait);
  } else {
    wait = Math.min(policy.maxSeconds, policy.firstSeconds * Math.pow(policy.factor, polls));
  }
  const remaining = policy.capSeconds - elapsedSeconds;
  return Math.max(1, Math.ceil(Math.min(wait, Math.max(remaining, 1))));
}

/** Once a creation is overdue, the delay to notice it stays under max(2 s, 10% of its time). */
const OVERDUE_MIN_SECONDS = 2;
const OVERDUE_SHARE = 0.1;

/** The typical creation time from recent ones (their median), or undefined without enough history. */
export function expectedCreationSeconds(recent: readonly number[]): number | undefined {
  const valid = recent.filter((s) => Number.isFinite(s) && s > 0).sort((a, b) => a - b);
  if (!valid.length) return undefined;
  const mid = Math.floor(valid.length / 2);
  return valid.length % 2 ? valid[mid]! : (valid[mid - 1]! + valid[mid]!) / 2;
}
