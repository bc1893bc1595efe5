import { DEFAULT_POLL_POLICY, expectedCreationSeconds, nextPollDelay, type PollPolicy } from '../../shared/domain/polling';

const policy: PollPolicy = { firstSeconds: 5, maxSeconds: 30, factor: 1.5, capSeconds: 600 };

/** Waits the state machine would make, poll after poll, until `untilSeconds` have passed. */
function simulate(p: PollPolicy, untilSeconds: number, maxPolls = 10_000): number[] {
  const waits: number[] = [];
  let elapsed = 0;
  while (elapsed < untilSeconds && waits.length < maxPolls) {
    const wait = nextPollDelay(p, waits.length, elapsed);
    waits.push(wait);
    elapsed += wait;
  }
  return waits;
}

describe('nextPollDelay', () => {
  it('starts at firstSeconds', () => {
    expect(nextPollDelay(policy, 0, 0)).toBe(5);
    expect(nextPollDelay({ ...policy, firstSeconds: 3 }, 0, 0)).toBe(3);
  });

  it('grows by the factor from one poll to the next', () => {
    const exact: PollPolicy = { firstSeconds: 2, maxSeconds: 1000, factor: 2, capSeconds: 10_000 };
    expect([0, 1, 2, 3, 4].map((n) => nextPollDelay(exact, n, 0))).toEqual([2, 4, 8, 16, 32]);
  });

  it('never shrinks while below the ceiling and the cap', () => {
    const waits = Array.from({ length: 20 }, (_, n) => nextPollDelay(policy, n, 0));
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]!);
  });

  it('stops growing at maxSeconds', () => {
    for (const polls of [5, 10, 50, 1000]) expect(nextPollDelay(policy, polls, 0)).toBe(30);
    expect(Math.max(...Array.from({ length: 100 }, (_, n) => nextPollDelay(policy, n, 0)))).toBe(30);
  });

  it('never waits past the remaining cap', () => {
    for (let elapsed = 0; elapsed < policy.capSeconds; elapsed++) {
      for (const polls of [0, 3, 10]) {
        expect(nextPollDelay(policy, polls, elapsed)).toBeLessThanOrEqual(policy.capSeconds - elapsed);
      }
    }
    expect(nextPollDelay(policy, 10, 590)).toBe(10);
    expect(nextPollDelay(policy, 10, 598)).toBe(2);
  });

  it.each([
    [0, 0],
    [1, 0],
    [3, 17],
    [7, 599],
    [7, 600],
    [7, 900],
    [40, 12.5],
  ])('is a whole number of at least 1 second (polls %d, elapsed %d)', (polls, elapsed) => {
    const wait = nextPollDelay(policy, polls, elapsed);
    expect(Number.isInteger(wait)).toBe(true);
    expect(wait).toBeGreaterThanOrEqual(1);
  });

  it('rounds a fractional backoff up to whole seconds', () => {
    const wait = nextPollDelay(policy, 1, 0); // 5 × 1.5 = 7.5
    expect(Number.isInteger(wait)).toBe(true);
    expect(wait).toBeGreaterThanOrEqual(7);
    expect(wait).toBeLessThanOrEqual(8);
  });

  it('ends exactly at the cap when polled to the end', () => {
    const waits = simulate(policy, policy.capSeconds);
    expect(waits.reduce((a, b) => a + b, 0)).toBe(policy.capSeconds);
  });
});

describe('the default policy', () => {
  it('notices a 2-minute creation within 15 polls', () => {
    const waits = simulate(DEFAULT_POLL_POLICY, 120);
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(120);
    expect(waits.length).toBeLessThanOrEqual(15);
  });

  it('notices a creation soon after it finishes: first after 5 s, then never more than 30 s apart', () => {
    const waits = simulate(DEFAULT_POLL_POLICY, 30 * 60);
    expect(Math.max(...waits)).toBeLessThanOrEqual(30);
    expect(waits[0]).toBe(5);
  });

  it('polls until its 30-minute cap, in far fewer polls than one every 5 s', () => {
    const waits = simulate(DEFAULT_POLL_POLICY, 30 * 60);
    expect(waits.reduce((a, b) => a + b, 0)).toBe(30 * 60);
    expect(waits.length).toBeLessThan((30 * 60) / 5);
  });
});

describe('adaptive polling from observed creation times', () => {
  const aws: PollPolicy = { firstSeconds: 5, maxSeconds: 30, factor: 1.5, capSeconds: 1800 };

  /** Poll times until a creation of `seconds` is seen, given what recent creations took. */
  function pollsUntilSeen(seconds: number, expected?: number) {
    let elapsed = 0;
    const polls: number[] = [];
    while (elapsed < seconds) {
      elapsed += nextPollDelay(aws, polls.length, elapsed, expected);
      polls.push(elapsed);
    }
    return { polls: polls.length, noticedAfter: elapsed - seconds };
  }

  it('takes the median of recent creations as the expected time', () => {
    expect(expectedCreationSeconds([])).toBeUndefined();
    expect(expectedCreationSeconds([60, 20, 90])).toBe(60);
    expect(expectedCreationSeconds([20, 22])).toBe(21);
    expect(expectedCreationSeconds([0, -1, Number.NaN, 30])).toBe(30);
  });

  it('notices a creation that takes as long as recent ones at once, and a late one within max(2 s, 10%)', () => {
    expect(pollsUntilSeen(20, 20)).toEqual({ polls: 1, noticedAfter: 0 });
    for (const took of [21, 25, 40, 90, 300]) {
      expect(pollsUntilSeen(took, 20).noticedAfter).toBeLessThanOrEqual(Math.max(2, 0.1 * took) + 1);
    }
  });

  it('costs a two-minute creation at most 15 status polls, with or without history', () => {
    expect(pollsUntilSeen(120, 120).polls).toBeLessThanOrEqual(5);
    expect(pollsUntilSeen(120).polls).toBeLessThanOrEqual(15);
    expect(pollsUntilSeen(120, 60).polls).toBeLessThanOrEqual(15);
  });

  it('never waits longer than maxSeconds, nor past the cap', () => {
    expect(nextPollDelay(aws, 0, 0, 600)).toBe(30);
    expect(nextPollDelay(aws, 3, 1795, 600)).toBe(5);
  });
});
