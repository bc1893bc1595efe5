import { logNormal, seededRandom } from './draws';

/**
 * How fast the simulated organization answers, as AWS Organizations does: every call takes a while
 * (latency, jittered around a median), and the organization answers only so many calls a second
 * (a token bucket; a call that finds it empty gets TooManyRequestsException). Both are off by
 * default, so tests and the demo stay fast. The transport (sim-org-transport.ts) waits here before
 * it hands a call to the synchronous facade; one CallPacing belongs to one SimulatedOrganization,
 * so every client built for that organization in this process draws on the same bucket (another
 * process that opens the same data folder has its own).
 */

/**
 * The median time of one Organizations call, in milliseconds, for benchmarks that want AWS-like
 * timing. AWS publishes no latency figure for Organizations, and what users report is whole walks of
 * large organizations taking minutes (aws-samples/iam-identity-center-team#443: 277 accounts;
 * #453: "each API call to list_accounts could take up to 2 minutes" with 400+ accounts), which mixes
 * pages, retries and throttling and gives no per-call number. Organizations is one global endpoint
 * in us-east-1 (AWS General Reference, "AWS Organizations endpoints and quotas"), so a Lambda in or
 * near that region pays a TLS round trip plus a control-plane read or write: 100 ms is a judgement
 * of that, not a measurement. Replace it when a measured figure is at hand.
 */
export const AWS_ORGANIZATIONS_LATENCY_MS = 100;

/**
 * The sigma of the log-normal around the median latency: half the calls within ×0.85–×1.18 of it,
 * one in a hundred beyond ×1.8. Service times spread multiplicatively, and a fixed spread keeps runs
 * comparable.
 */
export const AWS_ORGANIZATIONS_LATENCY_SPREAD = 0.25;

/**
 * Organizations calls a second, for benchmarks that want AWS-like throttling. AWS documents no
 * per-operation request rate for Organizations: TooManyRequestsException says only "too many
 * requests in too short a period of time" (Organizations API Reference), and a request to document
 * the limits (awsdocs/aws-organizations-docs#39, 2022) was closed without numbers. Users hit it at
 * small concurrency: 3–5 account bootstraps at once throttled on ListParents and ListRoots
 * (awslabs/aws-deployment-framework#752, #781, #788), a few threads of DescribeAccount
 * (connelldave/botocove#12). The organization-wide APIs next to it that do publish a rate have a
 * collective 20 a second (IAM Identity Center; IAM account access manager), and 20 a second is also
 * low enough to throttle a handful of concurrent callers as those reports describe, so 20 is used.
 */
export const AWS_ORGANIZATIONS_RATE_PER_SECOND = 20;

/**
 * How many calls a full bucket lets through at once: one second's worth. AWS says IAM and STS
 * throttle with token buckets refilled every second (AWS Security Blog, "How to monitor and query
 * IAM resources at scale – Part 2"), and AWS Account Management, which publishes its buckets, bursts
 * to 1–1.5 times its rate.
 */
export const AWS_ORGANIZATIONS_BURST = 20;

/** What AWS Organizations says when a caller is over its request rate (the API reference's wording). */
export const RATE_EXCEEDED_MESSAGE =
  'You have sent too many requests in too short a period of time. The quota helps protect against denial-of-service attacks. Try again later.';

export interface PacingOptions {
  /** Median milliseconds a call takes; 0 (the default) answers at once. */
  latencyMs?: number;
  /** Sigma of the log-normal around latencyMs; AWS_ORGANIZATIONS_LATENCY_SPREAD by default. */
  latencySpread?: number;
  /** Calls a second the bucket refills; 0 (the default) never throttles. */
  requestRate?: number;
  /** Calls a full bucket holds; one second's worth (requestRate, at least 1) by default. */
  requestBurst?: number;
}

/** Seams for tests: time, waiting and jitter can all be replaced, so no test measures the wall clock. */
export interface PacingSeams {
  /** Milliseconds on a clock that only moves forward; performance.now by default. */
  now?: () => number;
  /** How a call waits; a timer by default. */
  sleep?: (ms: number) => Promise<void>;
  /** Where latency jitter comes from; a fixed-seed PRNG by default, so every run draws the same waits. */
  random?: () => number;
}

/** What this process's pacing did so far. */
export interface PacingCounts {
  /** Calls the bucket let through (all calls when there is no rate limit). */
  answered: number;
  /** Calls refused with TooManyRequestsException for being over the rate. */
  throttled: number;
  /** Milliseconds of latency applied, summed over calls. */
  waitedMs: number;
}

/** The settings checked: a mistake is a RangeError naming it, never a silent no-op. */
export function checkPacing(options: PacingOptions): Required<PacingOptions> {
  const latencyMs = options.latencyMs ?? 0;
  if (!Number.isFinite(latencyMs) || latencyMs < 0 || latencyMs > 60_000) {
    throw new RangeError(`latencyMs must be a number of milliseconds from 0 to 60000 (got ${options.latencyMs}).`);
  }
  const latencySpread = options.latencySpread ?? AWS_ORGANIZATIONS_LATENCY_SPREAD;
  if (!Number.isFinite(latencySpread) || latencySpread < 0 || latencySpread > 3) {
    throw new RangeError(`latencySpread is the log-normal's sigma, from 0 to 3 (got ${options.latencySpread}).`);
  }
  const requestRate = options.requestRate ?? 0;
  if (!Number.isFinite(requestRate) || requestRate < 0) {
    throw new RangeError(`requestRate must be a number of calls a second, 0 (no limit) or more (got ${options.requestRate}).`);
  }
  const requestBurst = options.requestBurst ?? Math.max(1, Math.ceil(requestRate));
  if (!Number.isInteger(requestBurst) || requestBurst < 1) {
    throw new RangeError(`requestBurst must be a whole number of calls, 1 or more (got ${options.requestBurst}).`);
  }
  return { latencyMs, latencySpread, requestRate, requestBurst };
}

/**
 * A bucket of `capacity` tokens, refilled continuously at `ratePerSecond`, full at the start; a call
 * takes one token or is refused. Time comes from `now` (milliseconds), so tests move it by hand.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number,
    private readonly now: () => number,
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  take(): boolean {
    const time = this.now();
    // Multiplied before dividing, so whole milliseconds at whole rates refill whole tokens exactly.
    this.tokens = Math.min(this.capacity, this.tokens + (Math.max(0, time - this.last) * this.ratePerSecond) / 1000);
    this.last = time;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

const LATENCY_SEED = 0x5eed;

const timerSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class CallPacing {
  readonly latencyMs: number;
  readonly latencySpread: number;
  readonly requestRate: number;
  readonly requestBurst: number;
  private readonly bucket?: TokenBucket;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly tally: PacingCounts = { answered: 0, throttled: 0, waitedMs: 0 };

  constructor(options: PacingOptions = {}, seams: PacingSeams = {}) {
    const checked = checkPacing(options);
    this.latencyMs = checked.latencyMs;
    this.latencySpread = checked.latencySpread;
    this.requestRate = checked.requestRate;
    this.requestBurst = checked.requestBurst;
    this.sleep = seams.sleep ?? timerSleep;
    this.random = seams.random ?? seededRandom(LATENCY_SEED);
    if (this.requestRate > 0) this.bucket = new TokenBucket(this.requestRate, this.requestBurst, seams.now ?? (() => performance.now()));
  }

  /** Whether calls are paced at all; when not, the transport answers at once, as before. */
  get active(): boolean {
    return this.latencyMs > 0 || this.bucket !== undefined;
  }

  /** Whether a request rate applies (clients then back off as production's do). */
  get rateLimited(): boolean {
    return this.bucket !== undefined;
  }

  /** One call's latency in milliseconds, drawn around the median. */
  nextLatencyMs(): number {
    return logNormal(this.latencyMs, this.latencySpread, this.random);
  }

  /**
   * Waits as long as the call takes, then takes a token for it as it reaches the organization:
   * false when the rate is spent and the call must be answered with TooManyRequestsException.
   */
  async arrive(): Promise<boolean> {
    if (this.latencyMs > 0) {
      const wait = this.nextLatencyMs();
      this.tally.waitedMs += wait;
      await this.sleep(wait);
    }
    if (this.bucket && !this.bucket.take()) {
      this.tally.throttled++;
      return false;
    }
    this.tally.answered++;
    return true;
  }

  counts(): PacingCounts {
    return { ...this.tally };
  }
}
