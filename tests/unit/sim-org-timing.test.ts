import { readFileSync } from 'node:fs';
import { CreateAccountCommand, DescribeCreateAccountStatusCommand, DescribeOrganizationCommand, ListRootsCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { logNormal, organizationFilePath, seededRandom, SimulatedOrganization, type SimulatedOrganizationOptions } from '../../shared/adapters/local/sim-org';
import { simOrganizationsClient } from '../../shared/adapters/local/sim-org-transport';
import { removeTempDirs, tempDir } from '../fixtures/sim-cli';

afterAll(removeTempDirs);

class FakeClock {
  t = Date.parse('2026-11-28T09:00:00Z');
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

/** A uniform source of the test's own (a 32-bit LCG), so the statistics do not lean on the code's PRNG. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return (x + 0.5) / 4294967296;
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function standardDeviation(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
}

/**
 * For n draws of a log-normal with sigma σ: the sample median's logarithm has a standard error of
 * σ·√(π/(2n)), and the sample standard deviation of the logarithms one of σ/√(2n). Five standard
 * errors either way: a correct draw fails this about once in a few million runs.
 */
function expectLogNormal(draws: number[], expectedMedian: number, sigma: number) {
  const n = draws.length;
  const logs = draws.map(Math.log);
  const medianError = sigma * Math.sqrt(Math.PI / (2 * n));
  const sigmaError = sigma / Math.sqrt(2 * n);
  expect(Math.abs(Math.log(median(draws)) - Math.log(expectedMedian))).toBeLessThan(5 * medianError);
  expect(Math.abs(standardDeviation(logs) - sigma)).toBeLessThan(5 * sigmaError);
}

async function describeOrganization(client: OrganizationsClient) {
  return client.send(new DescribeOrganizationCommand({}));
}

async function refusal(call: Promise<unknown>): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number } }> {
  try {
    await call;
  } catch (error) {
    return error as { name: string; message: string; $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to be refused');
}

describe('request rate (a token bucket shared by every client of the organization)', () => {
  /** Time for the bucket moves only when the test says so. */
  function limited(options: SimulatedOrganizationOptions) {
    let nowMs = 1_000;
    const sim = new SimulatedOrganization({ ...options, pacingSeams: { now: () => nowMs } });
    // One attempt, standard mode: each answer is seen as the organization gave it, and the adaptive
    // client's own limiter (real time) stays out of the test.
    const client = () => simOrganizationsClient(sim, { maxAttempts: 1, retryMode: 'standard' });
    return { sim, client, advance: (ms: number) => (nowMs += ms) };
  }

  it('lets a burst through, then answers as AWS does: TooManyRequestsException, HTTP 400', async () => {
    const { sim, client } = limited({ requestRate: 5, requestBurst: 5 });
    const first = client();
    const second = client();
    for (let i = 0; i < 3; i++) await describeOrganization(first);
    for (let i = 0; i < 2; i++) await describeOrganization(second);

    // The sixth call within the same instant, from either client, finds the bucket empty.
    for (const c of [first, second]) {
      const error = await refusal(describeOrganization(c));
      expect(error.name).toBe('TooManyRequestsException');
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toMatch(/too many requests in too short a period of time/i);
    }
    expect(sim.pacing.counts()).toMatchObject({ answered: 5, throttled: 2 });
    // A refused call was still a call the caller made.
    expect(sim.stats().callsByOperation.DescribeOrganization).toBe(7);
  });

  it('refills at the rate, and never beyond the burst', async () => {
    const { client, advance } = limited({ requestRate: 4, requestBurst: 3 });
    const c = client();
    for (let i = 0; i < 3; i++) await describeOrganization(c);
    await expect(describeOrganization(c)).rejects.toMatchObject({ name: 'TooManyRequestsException' });

    // At 4 a second one token takes 250 ms: not yet at 249, then exactly one.
    advance(249);
    await expect(describeOrganization(c)).rejects.toMatchObject({ name: 'TooManyRequestsException' });
    advance(1);
    await describeOrganization(c);
    await expect(describeOrganization(c)).rejects.toMatchObject({ name: 'TooManyRequestsException' });

    // A long quiet spell fills the bucket to its burst of 3, no more.
    advance(60_000);
    for (let i = 0; i < 3; i++) await describeOrganization(c);
    await expect(describeOrganization(c)).rejects.toMatchObject({ name: 'TooManyRequestsException' });
  });

  it('defaults the burst to one second of calls', async () => {
    const { sim } = limited({ requestRate: 20 });
    expect(sim.pacing.requestBurst).toBe(20);
  });

  it('makes the local client back off as the production client does (adaptive mode, 5 attempts)', async () => {
    const paced = new SimulatedOrganization({ requestRate: 20 });
    const client = simOrganizationsClient(paced);
    expect(((await client.config.retryStrategy()) as { mode?: string }).mode).toBe('adaptive');
    expect(await client.config.maxAttempts()).toBe(5);

    // Without a rate, injected throttles are dice rolls: the short fixed backoffs stay.
    const unpaced = new SimulatedOrganization();
    expect(((await simOrganizationsClient(unpaced).config.retryStrategy()) as { mode?: string }).mode).toBe('standard');
  });

  it('refuses settings that make no sense', () => {
    expect(() => new SimulatedOrganization({ requestRate: -1 })).toThrow(RangeError);
    expect(() => new SimulatedOrganization({ requestRate: Number.NaN })).toThrow(RangeError);
    expect(() => new SimulatedOrganization({ requestRate: 5, requestBurst: 0 })).toThrow(RangeError);
    expect(() => new SimulatedOrganization({ requestRate: 5, requestBurst: 2.5 })).toThrow(RangeError);
  });
});

describe('latency', () => {
  it('holds every answer until the call has taken its time', async () => {
    const waits: Array<{ ms: number; done: () => void }> = [];
    const sim = new SimulatedOrganization({
      latencyMs: 100,
      pacingSeams: { sleep: (ms) => new Promise<void>((done) => waits.push({ ms, done })) },
    });
    const client = simOrganizationsClient(sim, { maxAttempts: 1 });
    let answered = false;
    const call = describeOrganization(client).then(() => (answered = true));

    await new Promise((resolve) => setImmediate(resolve));
    expect(waits).toHaveLength(1);
    expect(waits[0]!.ms).toBeGreaterThan(0);
    // Not answered, and the organization has not even seen the call yet.
    expect(answered).toBe(false);
    expect(sim.stats().callsByOperation.DescribeOrganization).toBeUndefined();

    waits[0]!.done();
    await call;
    expect(answered).toBe(true);
    expect(sim.stats().callsByOperation.DescribeOrganization).toBe(1);
  });

  it('jitters log-normally around the median, the same way on every run', async () => {
    const median = 100;
    const sigma = 0.25;
    const waits = async (seed: number) => {
      const slept: number[] = [];
      const sim = new SimulatedOrganization({
        latencyMs: median,
        latencySpread: sigma,
        pacingSeams: { sleep: async (ms) => void slept.push(ms), random: seededRandom(seed) },
      });
      const client = simOrganizationsClient(sim, { maxAttempts: 1 });
      for (let i = 0; i < 1_000; i++) await client.send(new ListRootsCommand({}));
      expect(sim.pacing.counts().waitedMs).toBeCloseTo(slept.reduce((a, b) => a + b, 0), 6);
      return slept;
    };
    const first = await waits(11);
    expect(first).toHaveLength(1_000);
    expectLogNormal(first, median, sigma);
    expect(await waits(11)).toEqual(first);
  });

  it('takes exactly the median with no spread', async () => {
    const slept: number[] = [];
    const sim = new SimulatedOrganization({ latencyMs: 40, latencySpread: 0, pacingSeams: { sleep: async (ms) => void slept.push(ms) } });
    const client = simOrganizationsClient(sim, { maxAttempts: 1 });
    for (let i = 0; i < 5; i++) await describeOrganization(client);
    expect(slept).toEqual([40, 40, 40, 40, 40]);
  });

  it('refuses settings that make no sense', () => {
    expect(() => new SimulatedOrganization({ latencyMs: -5 })).toThrow(RangeError);
    expect(() => new SimulatedOrganization({ latencyMs: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => new SimulatedOrganization({ latencyMs: 50, latencySpread: -0.1 })).toThrow(RangeError);
  });
});

describe('by default', () => {
  it('answers with no delay and never throttles', async () => {
    const sim = new SimulatedOrganization({
      pacingSeams: {
        sleep: () => {
          throw new Error('a call waited');
        },
      },
    });
    expect(sim.pacing.active).toBe(false);
    const client = simOrganizationsClient(sim, { maxAttempts: 1 });
    const answers = await Promise.allSettled(Array.from({ length: 500 }, () => describeOrganization(client)));
    expect(answers.filter((a) => a.status === 'rejected')).toEqual([]);
    expect(sim.stats().callsByOperation.DescribeOrganization).toBe(500);
  });

  it('creates every account in exactly createSeconds, drawing no random number', async () => {
    const clock = new FakeClock();
    const sim = new SimulatedOrganization({
      clock,
      createSeconds: 60,
      random: () => {
        throw new Error('drew a random number');
      },
    });
    const client = simOrganizationsClient(sim, { maxAttempts: 1 });
    const { CreateAccountStatus } = await client.send(new CreateAccountCommand({ AccountName: 'Staging', Email: 'staging@example.com' }));
    clock.advance(60_000);
    const done = (await client.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: CreateAccountStatus!.Id }))).CreateAccountStatus!;
    expect(done.CompletedTimestamp!.getTime() - done.RequestedTimestamp!.getTime()).toBe(60_000);
  });
});

describe('creation times (log-normal around createSeconds)', () => {
  it('draws a log-normal with the given median and sigma', () => {
    const random = lcg(2026);
    const draws = Array.from({ length: 20_000 }, () => logNormal(90, 0.6, random));
    expectLogNormal(draws, 90, 0.6);
    expect(logNormal(90, 0, random)).toBe(90);
  });

  /** Creates n accounts at one instant, lets them all finish, and returns how long each took. */
  async function creationSeconds(options: SimulatedOrganizationOptions, n: number): Promise<number[]> {
    const clock = new FakeClock();
    const sim = new SimulatedOrganization({ clock, accountQuota: n + 1, maxConcurrentCreates: n, ...options });
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(sim.CreateAccount({ AccountName: `Member ${i}`, Email: `member${i}@example.com` }).CreateAccountStatus!.Id!);
    clock.advance(365 * 24 * 3600 * 1000);
    return ids.map((id) => {
      const s = sim.DescribeCreateAccountStatus({ CreateAccountRequestId: id }).CreateAccountStatus!;
      expect(s.State).toBe('SUCCEEDED');
      return (s.CompletedTimestamp!.getTime() - s.RequestedTimestamp!.getTime()) / 1000;
    });
  }

  it('spreads creations around the median, reproducibly with a seeded organization', async () => {
    const options = { createSeconds: 60, createSpread: 0.5, random: seededRandom(7) };
    const taken = await creationSeconds(options, 1_000);
    expectLogNormal(taken, 60, 0.5);
    expect(await creationSeconds({ ...options, random: seededRandom(7) }, 1_000)).toEqual(taken);
  });

  it('keeps the drawn completion time across a restart', async () => {
    const dataDir = tempDir();
    const clock = new FakeClock();
    const before = new SimulatedOrganization({ dataDir, clock, createSeconds: 60, createSpread: 1, random: seededRandom(3) });
    const id = before.CreateAccount({ AccountName: 'Staging', Email: 'staging@example.com' }).CreateAccountStatus!.Id!;
    const onDisk = JSON.parse(readFileSync(organizationFilePath(dataDir), 'utf8')) as { createRequests: Array<{ completesAt: string }>; settings: { createSpread?: number } };
    const completesAt = Date.parse(onDisk.createRequests[0]!.completesAt);
    expect(onDisk.settings.createSpread).toBe(1);

    // Another process with other dice: the creation still ends when it was drawn to.
    const after = new SimulatedOrganization({ dataDir, clock, random: () => 0.999 });
    clock.t = completesAt - 1;
    expect(after.DescribeCreateAccountStatus({ CreateAccountRequestId: id }).CreateAccountStatus!.State).toBe('IN_PROGRESS');
    clock.t = completesAt;
    expect(after.DescribeCreateAccountStatus({ CreateAccountRequestId: id }).CreateAccountStatus!).toMatchObject({ State: 'SUCCEEDED', CompletedTimestamp: new Date(completesAt) });
  });

  it('refuses a spread that makes no sense', () => {
    expect(() => new SimulatedOrganization({ createSpread: -0.5 })).toThrow(RangeError);
    expect(() => new SimulatedOrganization({ createSpread: 60 })).toThrow(RangeError);
    expect(() => new SimulatedOrganization({ createSpread: Number.NaN })).toThrow(RangeError);
  });
});
