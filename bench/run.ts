import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { logger } from '../shared/lambda/logger';
import { EXIT, exitWith, runCommand, UsageError, type CommandSpec } from '../local/cli';
import { measureBundles, RATIO_GOAL, ZIP_BUDGET_BYTES, type BundleResult } from './bundles';
import { drift, DRIFT_OUS, type DriftResult } from './drift';
import { PRICES, PRICES_CHECKED, PRICES_REGION } from './prices';
import { provisioning, PROVISIONING_CREATE_SECONDS, PROVISIONING_CREATE_SPREAD, SAMPLE_LOOP, type ProvisioningResult } from './provisioning';
import { requestPath, REQUEST_PATH_OUS, type RequestPathResult } from './request-path';
import { AWS_LIKE_ORGANIZATIONS, slackAck, throughput, type SlackAckResult, type ThroughputResult } from './runtime-groups';

/**
 * `npm run bench -- [--json] [--only GROUP,…] [--no-write]`: measures what Switchyard adds on top
 * of AWS, the same way every time, checks the goals, prints a table (or one JSON object) and writes
 * docs/benchmarks.md. Exit code 0 when every goal holds, 1 otherwise or when it could not run, 2 for a
 * usage mistake. Not a test: timing lives here only.
 */

export interface Goal {
  name: string;
  target: string;
  actual: string;
  met: boolean;
}

export interface BenchReport {
  machine: { node: string; platform: string; cpus: number; cpuModel: string; memoryGB: number };
  startedAt: string;
  seconds: number;
  /** How long each group that ran took, in seconds. */
  groupSeconds: Partial<Record<Group, number>>;
  bundles?: BundleResult[];
  requestPath?: RequestPathResult[];
  drift?: DriftResult[];
  provisioning?: ProvisioningResult;
  slackAckMs?: SlackAckResult;
  throughput?: ThroughputResult;
  goals: Goal[];
}

const GROUPS = ['bundles', 'requestPath', 'drift', 'provisioning', 'slackAckMs', 'throughput'] as const;
type Group = (typeof GROUPS)[number];

/** Organization sizes of the size-dependent groups. */
const REQUEST_PATH_SIZES = [10, 10_000];
const DRIFT_SIZES = [1_000, 10_000];

/** The issue's goals (#13). */
const GOAL = {
  requestPathCalls: 3,
  postP95Ratio: 1.2,
  provisioningCallsRatio: 2,
  driftRatio: 1.1,
  driftPeakRssMb: 256,
};

/**
 * The cold-start figures of a bundle. bundles.ts measures module load plus the first invocation as
 * `coldStartMs` / `floorColdStartMs`; a bundles.ts from before that change has only the load
 * (`initMs` / `floorInitMs`), which is shown instead until it lands.
 */
function coldStart(b: BundleResult): { ms: number; floorMs: number } {
  const loose = b as unknown as { coldStartMs?: number; floorColdStartMs?: number; initMs?: number; floorInitMs?: number };
  return { ms: loose.coldStartMs ?? loose.initMs ?? Number.NaN, floorMs: loose.floorColdStartMs ?? loose.floorInitMs ?? Number.NaN };
}

const bySize = <T extends { accounts: number }>(list: readonly T[] | undefined, accounts: number) => list?.find((x) => x.accounts === accounts);
const usd = (n: number) => `$${n.toFixed(6)}`;
const thousands = (n: number) => n.toLocaleString('en-US');

export function goals(r: BenchReport): Goal[] {
  const out: Goal[] = [];
  if (r.bundles?.length) {
    const worst = r.bundles.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    const biggest = r.bundles.reduce((a, b) => (b.zipBytes > a.zipBytes ? b : a));
    out.push({ name: 'cold start / floor, every function', target: `≤ ${RATIO_GOAL}`, actual: `${worst.ratio.toFixed(2)} (${worst.function})`, met: r.bundles.every((b) => b.ratio <= RATIO_GOAL) });
    out.push({ name: 'every zip ≤ 250 KB', target: `≤ ${ZIP_BUDGET_BYTES / 1024} KB`, actual: `${(biggest.zipBytes / 1024).toFixed(1)} KB (${biggest.function})`, met: biggest.zipBytes <= ZIP_BUDGET_BYTES });
  }
  if (r.requestPath?.length) {
    const small = bySize(r.requestPath, 10);
    const large = bySize(r.requestPath, 10_000);
    if (large) {
      out.push({
        name: `request-path Organizations calls at ${thousands(large.accounts)} accounts`,
        target: `≤ ${GOAL.requestPathCalls}`,
        actual: `${large.organizationsCallsPerRequest} (${Object.entries(large.callsByTrigger).map(([t, n]) => `${t} ${n}`).join(', ')})`,
        met: large.organizationsCallsPerRequest <= GOAL.requestPathCalls,
      });
    }
    if (small && large) {
      const ratio = large.postP95Ms / small.postP95Ms;
      out.push({
        name: `POST p95 at ${thousands(large.accounts)} / at ${small.accounts} accounts`,
        target: `≤ ${GOAL.postP95Ratio}`,
        actual: `${ratio.toFixed(2)} (${large.postP95Ms} ms / ${small.postP95Ms} ms)`,
        met: ratio <= GOAL.postP95Ratio,
      });
      out.push({
        name: `Organizations calls of one provisioning at ${thousands(large.accounts)} / at ${small.accounts} accounts`,
        target: `≤ ${GOAL.provisioningCallsRatio}`,
        actual: `${(large.organizationsCallsPerProvisioning / small.organizationsCallsPerProvisioning).toFixed(2)} (${large.organizationsCallsPerProvisioning} / ${small.organizationsCallsPerProvisioning})`,
        met: large.organizationsCallsPerProvisioning <= GOAL.provisioningCallsRatio * small.organizationsCallsPerProvisioning,
      });
    }
  }
  if (r.drift?.length) {
    out.push({
      name: 'drift calls / independent floor, every account managed',
      target: `≤ ${GOAL.driftRatio}`,
      actual: r.drift.map((d) => `${d.ratio} at ${thousands(d.accounts)}`).join(', '),
      met: r.drift.every((d) => d.ratio <= GOAL.driftRatio),
    });
    const large = bySize(r.drift, 10_000);
    if (large) out.push({ name: `drift peak RSS at ${thousands(large.accounts)} accounts`, target: `< ${GOAL.driftPeakRssMb} MB`, actual: `${large.peakRssMb} MB`, met: large.peakRssMb < GOAL.driftPeakRssMb });
  }
  if (r.provisioning) {
    const p = r.provisioning;
    const limit = Math.max(2000, 0.1 * p.createSecondsMedian * 1000);
    out.push({
      name: `SUCCEEDED → READY p95, creations ${p.createSecondsMedian} s median (σ ${p.createSecondsSpread})`,
      target: `≤ ${limit} ms`,
      actual: `${p.readyAfterCreateP95Ms} ms`,
      met: p.readyAfterCreateP95Ms <= limit,
    });
    out.push({
      name: 'cost per vended account',
      target: `≤ the sample loop's (${usd(p.sampleLoopCostPerEnvironmentUsd)})`,
      actual: usd(p.costPerEnvironmentUsd),
      met: p.costPerEnvironmentUsd <= p.sampleLoopCostPerEnvironmentUsd,
    });
  }
  if (r.slackAckMs) out.push({ name: 'Slack acknowledgement p99', target: '< 1000 ms', actual: `${r.slackAckMs.p99} ms`, met: r.slackAckMs.p99 < 1000 });
  if (r.throughput) {
    const t = r.throughput;
    const ok = t.wallSeconds <= 1.3 * t.floorSeconds && t.ready === t.requests && t.duplicates === 0;
    out.push({
      name: `${t.requests} requests at once, ${t.createLimit} creations at a time`,
      target: `wall ≤ ${1.3 * t.floorSeconds} s, all READY, no duplicates`,
      actual: `${t.wallSeconds} s (floor ${t.floorSeconds} s), ${t.ready} READY, ${t.duplicates} duplicates`,
      met: ok,
    });
  }
  return out;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function renderText(r: BenchReport): string {
  const parts: string[] = [];
  if (r.bundles) {
    parts.push(
      'Bundles (zip; median cold start = module load plus the first invocation, in a fresh Node process, against a floor bundle of the same SDK clients making the same first calls)',
      table([
        ['function', 'zip KB', 'cold start ms', 'floor ms', 'ratio', 'SDK clients'],
        ...r.bundles.map((b) => {
          const c = coldStart(b);
          return [b.function, (b.zipBytes / 1024).toFixed(1), c.ms.toFixed(1), c.floorMs.toFixed(1), b.ratio.toFixed(2), b.sdkClients.join(' ')];
        }),
      ]),
      '',
    );
  }
  if (r.requestPath) {
    const first = r.requestPath[0];
    parts.push(
      `Request path (Organizations at ${first?.simLatencyMs} ms a call and ${first?.simRatePerSecond} calls a second; ${REQUEST_PATH_OUS} OUs; calls of one request per trigger, the most of them reported)`,
      table([
        ['accounts', 'calls/request', 'http', 'slack', 'webhook', 'event', 'POST p95 ms', 'Slack ack p95 ms', 'samples', 'calls/provisioning'],
        ...r.requestPath.map((q) => [
          thousands(q.accounts),
          String(q.organizationsCallsPerRequest),
          String(q.callsByTrigger.http),
          String(q.callsByTrigger.slack),
          String(q.callsByTrigger.webhook),
          String(q.callsByTrigger.event),
          String(q.postP95Ms),
          String(q.slackAckP95Ms),
          `${q.postSamples}/${q.slackSamples}`,
          String(q.organizationsCallsPerProvisioning),
        ]),
      ]),
      '',
    );
  }
  if (r.drift) {
    const first = r.drift[0];
    parts.push(
      `Drift check, every account managed (Organizations at ${first?.simLatencyMs} ms a call and ${first?.simRatePerSecond} calls a second; checked in a process that runs only the check, as the Lambda does)`,
      table([
        ['accounts', 'OUs', 'managed', 'API calls', 'floor', 'ratio', 'seconds', 'floor s', 'throttled', 'peak RSS MB', 'before check MB', 'findings'],
        ...r.drift.map((d) => [
          thousands(d.accounts),
          String(d.ous),
          thousands(d.managedAccounts),
          thousands(d.apiCalls),
          thousands(d.floorCalls),
          String(d.ratio),
          String(d.seconds),
          String(d.floorSeconds),
          String(d.throttled),
          String(d.peakRssMb),
          String(d.rssAfterOpenMb),
          String(d.findings),
        ]),
      ]),
      '',
    );
  }
  if (r.provisioning) {
    const p = r.provisioning;
    const s = p.sampleLoop;
    parts.push(
      `Provisioning (${p.samples} environments, creations log-normal around ${p.createSecondsMedian} s, σ ${p.createSecondsSpread}: drawn ${p.creationSeconds.min}–${p.creationSeconds.max} s, median ${p.creationSeconds.median} s; deployed poll settings; Organizations at ${p.simLatencyMs} ms and ${p.simRatePerSecond}/s)`,
      table([
        ['per environment', 'Switchyard', `sample loop (Wait ${s.waitSeconds} s → Describe)`],
        ['SUCCEEDED → READY p50 / p95 ms', `${p.readyAfterCreateP50Ms} / ${p.readyAfterCreateP95Ms}`, `${s.readyAfterCreateP50Ms} / ${s.readyAfterCreateP95Ms} (modelled)`],
        ['status polls', String(p.statusPolls), String(s.statusPolls)],
        ['state transitions', String(p.stateTransitions), String(s.stateTransitions)],
        ['Lambda requests', String(p.lambdaRequests), String(s.lambdaRequests)],
        ['Lambda GB-seconds', String(p.lambdaGbSeconds), String(s.lambdaGbSeconds)],
        ['DynamoDB read / write units', `${p.dynamoReadUnits} / ${p.dynamoWriteUnits}`, '0 / 0 (assumed)'],
        ['cost (USD, list prices)', usd(p.costPerEnvironmentUsd), usd(p.sampleLoopCostPerEnvironmentUsd)],
      ]),
      `  Lambda per function (invocations per environment, median ms, MB): ${Object.entries(p.lambdaByFunction)
        .map(([fn, f]) => `${fn} ${f.invocations}× ${f.medianMs} ms ${f.memoryMb} MB`)
        .join('; ')}`,
      '',
    );
  }
  if (r.slackAckMs) parts.push(`Slack /env create acknowledgement over ${r.slackAckMs.requests} signed requests: p50 ${r.slackAckMs.p50} ms, p99 ${r.slackAckMs.p99} ms`, '');
  if (r.throughput) {
    const t = r.throughput;
    parts.push(`Throughput: ${t.requests} requests at once, creations of ${t.simCreateSeconds} s, ${t.createLimit} at a time: ${t.wallSeconds} s (floor ${t.floorSeconds} s), ${t.ready} READY, ${t.accountsCreated} accounts, most at once ${t.maxConcurrentCreates}`, '');
  }
  const took = Object.entries(r.groupSeconds).map(([g, s]) => `${g} ${s} s`).join(', ');
  if (took) parts.push(`Time per group: ${took}; ${r.seconds} s in all`, '');
  parts.push('Goals', table([['goal', 'target', 'actual', ''], ...r.goals.map((g) => [g.name, g.target, g.actual, g.met ? 'met' : 'MISSED'])]));
  return `${parts.join('\n')}\n`;
}

interface Before {
  how: string;
  throughput: { wallSeconds: number; floorSeconds: number };
}

/** Earlier figures, where the method is still the same (throughput); the other groups changed how they measure. */
function earlier(r: BenchReport): string[] {
  if (!r.throughput) return [];
  const b = JSON.parse(readFileSync(join(__dirname, 'before.json'), 'utf8')) as Before;
  return [
    '## Before and after',
    '',
    b.how,
    '',
    '| figure | before | after |',
    '|---|---|---|',
    `| 50 requests, 5 s creations, 5 at a time | ${b.throughput.wallSeconds} s (floor ${b.throughput.floorSeconds} s) | ${r.throughput.wallSeconds} s (floor ${r.throughput.floorSeconds} s) |`,
    '',
    'Only throughput is measured as it was then. Cold start now includes the first invocation, provisioning',
    'draws varying creations under AWS-like Organizations timing, and drift manages every account: their',
    'earlier figures (in this file\'s history) measured something else and are not compared here.',
    '',
  ];
}

function prices(): string[] {
  return [
    `## Prices (${PRICES_REGION}, list prices looked up ${PRICES_CHECKED})`,
    '',
    'On-demand list prices, no free tier (a deployment vending accounts at scale has used it up), no',
    'Savings Plans. API Gateway, CloudWatch Logs, EventBridge and SES are left out on both sides.',
    '',
    '| what | USD | source |',
    '|---|---|---|',
    ...Object.values(PRICES).map((p) => `| ${p.unit} | ${p.usd.toFixed(12).replace(/0+$/, '')} | ${p.source} |`),
    '',
  ];
}

export function markdown(r: BenchReport): string {
  const m = r.machine;
  const lines = [
    '# Benchmarks',
    '',
    'What Switchyard adds on top of AWS, measured by `npm run bench` (a script, not a test; no test',
    'asserts a time). Written by the last `npm run bench` run; numbers below come from that command.',
    '',
    `Run: ${r.startedAt}, ${r.seconds} s (${Object.entries(r.groupSeconds).map(([g, s]) => `${g} ${s} s`).join(', ')}). Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGB} GB, ${m.platform}, Node ${m.node}.`,
    '',
    '## Method, and why each floor is a fair lower bound',
    '',
    `Organizations "as AWS answers it" means the simulated organization with latency on every call`,
    `(log-normal around ${AWS_LIKE_ORGANIZATIONS.latencyMs} ms) and one request rate for the whole organization (a token bucket`,
    `of ${AWS_LIKE_ORGANIZATIONS.ratePerSecond} calls a second; a call over it gets TooManyRequestsException and the client backs off as the`,
    'production client does). AWS publishes neither figure; shared/adapters/local/sim-org/pacing.ts says',
    'where these come from. Calls are counted by the simulated organization itself, every request it',
    'received: pages, tag reads, retries and throttled calls alike.',
    '',
    '- **bundles** (`bundles[].coldStartMs`, `floorColdStartMs`): `osls package` offline; per function the',
    '  zip size and the median cold start, module load plus the first invocation with the SDK clients',
    '  answered by `aws-sdk-client-mock`, in a fresh Node process; the floor is a bundle built with the',
    '  same esbuild options that loads the same clients and makes the same first calls (a reply on a',
    '  Slack response_url included). It is a fair lower bound because no handler can do less than load',
    '  its clients and make its calls: what the ratio shows is everything else the handler loads or',
    '  builds, and work deferred to the first call stays inside the measured window. Each first',
    '  invocation is one a deployment meets and that succeeds, in the order it meets them',
    '  (bench/cold-start-events.ts): a request, its provisioning, approvals, a lease extended, a closing',
    '  step by step, a failed closing recorded; the AWS answers come from a model of AWS that those',
    '  same steps changed (bench/cold-start-world.ts).',
    `- **requestPath** (\`requestPath[]\`): at ${REQUEST_PATH_SIZES.map(thousands).join(' and ')} accounts (seeded over ${REQUEST_PATH_OUS} OUs, so that`,
    '  only the number of accounts changes), once Switchyard has caught up with the organization as a',
    '  deployment has (its change events delivered; the seeded organization made good with one walk).',
    '  Executions are recorded instead of run while the request path is measured, so no workflow',
    '  shares the rate or the CPU with it. Calls per request: one request through each trigger (HTTP',
    '  POST, Slack `/env create` acknowledgement plus its hand-over, signed webhook, EventBridge event),',
    '  the calls between sending it and the hand-over being done; the most of the four is reported, and',
    '  the goal is absolute (3), so it needs no floor. `postP95Ms`, `slackAckP95Ms`: sequential requests',
    '  over loopback, 20 of each or as many as fit in 60 s (at least 3); the Slack hand-over finishes',
    '  untimed before the next command, as it runs in its own function on AWS. The goal compares the',
    '  POST at 10,000 with the POST at 10 on the same machine and settings: the small organization is the',
    '  floor for the large one. `organizationsCallsPerProvisioning`: one environment from request to',
    '  READY with the workflow running, creations of exactly 5 s at both sizes, the calls of handling',
    '  the organization\'s change events it causes included.',
    `- **drift** (\`drift[]\`): at ${DRIFT_SIZES.map(thousands).join(' and ')} member accounts dealt over ${DRIFT_OUS} OUs three levels deep (plus`,
    '  the walk-through\'s OUs), every member account managed: one child process seeds the organization,',
    '  registers a READY environment per account through the runtime\'s stores and tags each account as',
    '  Switchyard does (so a check finds no drift and reads every account\'s tags); a second child runs',
    '  one check as the CheckDrift Lambda does (`runDriftCheck` with the handler\'s ports; the registry',
    '  served by a third process), so `peakRssMb` (its maxRSS) is the check\'s, plus the simulated',
    '  organization\'s state, which a Lambda would not hold (`rssAfterOpenMb` is the peak before the check).',
    '  The floor is computed by the benchmark from the organization\'s records, not',
    '  by Switchyard\'s code: ListRoots, then for the root and every OU ⌈child OUs / 20⌉ and ⌈accounts /',
    '  20⌉ pages, at least one each, plus one ListTagsForResource per managed account. It is a fair',
    '  lower bound because 20 is the largest MaxResults AWS\'s API reference allows for those list',
    '  calls, an empty parent still takes one call to learn it is empty, and ListTagsForResource is the',
    '  only call that returns an account\'s tags. `floorSeconds` is that many calls at the request rate',
    '  after one full bucket: no check can finish sooner.',
    `- **provisioning** (\`provisioning\`): creations log-normal around ${PROVISIONING_CREATE_SECONDS} s (σ ${PROVISIONING_CREATE_SPREAD}: AWS's "one to a few`,
    '  minutes"), the deployed poll settings (first 5 s, at most 30 s), Organizations as AWS answers it.',
    '  After one warm-up (a deployment has a creation history), 10 environments are requested, at most',
    '  5 waiting for their account at a time (AWS\'s limit, so none queues). Per environment, from the',
    '  local workflow\'s own events: AWS\'s CompletedTimestamp to the READY timeline entry; state',
    '  transitions (states entered, retries included, as Step Functions bills them); Lambda invocations',
    '  with their duration, from a Task\'s StateEntered (or StateRetried) to the execution\'s next event',
    '  (a failed attempt\'s span includes its backoff, so it errs long), billed per 1 ms at the memory',
    '  each function is deployed with (serverless.yml `provider.memorySize`, or the function\'s own); the',
    '  registry\'s request units, worked out from every command the stores send (reads per 4 KB, writes',
    '  per 1 KB plus one per global secondary index holding the item, item size taken as its JSON',
    '  length, so it errs high), the organization index\'s upkeep from the creation\'s change events',
    '  included. Not in it: Lambda init time (bundles measures it) and the Lambdas EventBridge invokes',
    '  (the index upkeep, the request hand-over), whose invocations the workflow\'s events do not show.',
    `- **sample loop**: AWS's sample vending machine waits with \`Wait ${SAMPLE_LOOP.waitSeconds} s → DescribeCreateAccountStatus\``,
    '  Lambda → Choice until the creation has ended. Modelled over the very creations drawn above:',
    `  ⌈creation / ${SAMPLE_LOOP.waitSeconds} s⌉ rounds (at least one) of ${SAMPLE_LOOP.transitionsPerRound} transitions and one Lambda invocation each, assumed at`,
    `  ${SAMPLE_LOOP.memoryMb} MB (the Lambda minimum) for ${SAMPLE_LOOP.invocationMs} ms (one DescribeCreateAccountStatus at the simulated median latency`,
    '  plus 10 ms). Its other steps are Switchyard\'s own, once each with no retry, and it is charged no',
    '  DynamoDB at all. Every assumption lowers its cost, so "Switchyard ≤ sample loop" cannot come from',
    '  flattering the comparison. Its READY delay is the wait to its next 30 s check plus Switchyard\'s',
    '  measured time from PlaceAccount to READY.',
    '- **slackAckMs**: 100 signed `/env create` requests one after another to the local runtime over',
    '  loopback, from request to response; each hands over an event that starts a provisioning, so',
    '  later acknowledgements run alongside earlier provisionings. Organizations answers at once here.',
    '- **throughput**: 50 requests at once, creations of 5 s, five at a time; wall time from the',
    '  first request to the last READY, against the floor ceil(50/5) × 5 s.',
    '',
    ...prices(),
    '## Results',
    '',
    '```',
    renderText(r).trimEnd(),
    '```',
    '',
    '## Goals',
    '',
    '| figure | goal | actual | |',
    '|---|---|---|---|',
    ...r.goals.map((g) => `| ${g.name} | ${g.target} | ${g.actual} | ${g.met ? 'met' : 'MISSED'} |`),
    '',
    ...earlier(r),
    '## Reproduce',
    '',
    '```sh',
    'npm ci',
    'npm run bench            # table, and rewrites this file (exit 0 only when every goal is met)',
    'npm run bench -- --json  # one JSON object: bundles, requestPath, drift, provisioning, slackAckMs, throughput, goals',
    'npm run bench -- --only requestPath,drift --no-write',
    '```',
    '',
  ];
  return lines.join('\n');
}

async function timedGroup<T>(report: BenchReport, group: Group, run: () => Promise<T> | T): Promise<T> {
  const started = Date.now();
  try {
    return await run();
  } finally {
    report.groupSeconds[group] = Math.round((Date.now() - started) / 1000);
  }
}

export async function runBench(only: readonly Group[], log: (line: string) => void): Promise<BenchReport> {
  const started = Date.now();
  const cpu = cpus();
  const report: BenchReport = {
    machine: { node: process.versions.node, platform: `${process.platform} ${process.arch}`, cpus: cpu.length, cpuModel: cpu[0]?.model.trim() ?? 'unknown', memoryGB: Math.round(totalmem() / 2 ** 30) },
    startedAt: new Date(started).toISOString(),
    seconds: 0,
    groupSeconds: {},
    goals: [],
  };
  if (only.includes('bundles')) {
    log('bundles: packaging and timing cold starts…');
    report.bundles = await timedGroup(report, 'bundles', () => measureBundles({ log }));
  }
  if (only.includes('requestPath')) {
    log(`requestPath: ${REQUEST_PATH_SIZES.map(thousands).join(' and ')} accounts, Organizations at AWS-like latency and rate…`);
    report.requestPath = await timedGroup(report, 'requestPath', async () => {
      const out: RequestPathResult[] = [];
      for (const accounts of REQUEST_PATH_SIZES) out.push(await requestPath(accounts, { log }));
      return out;
    });
  }
  if (only.includes('drift')) {
    log(`drift: ${DRIFT_SIZES.map(thousands).join(' and ')} accounts, every one managed, under the simulated rate limit (10,000 takes minutes)…`);
    report.drift = await timedGroup(report, 'drift', () =>
      DRIFT_SIZES.map((accounts) => {
        const d = drift(accounts);
        log(`  drift ${thousands(accounts)}: ${d.apiCalls} calls (floor ${d.floorCalls}) in ${d.seconds} s, peak RSS ${d.peakRssMb} MB`);
        return d;
      }),
    );
  }
  if (only.includes('provisioning')) {
    log('provisioning: varying creations, AWS-like Organizations timing…');
    report.provisioning = await timedGroup(report, 'provisioning', () => provisioning({ log }));
  }
  if (only.includes('slackAckMs')) {
    log('slackAckMs: 100 signed /env create…');
    report.slackAckMs = await timedGroup(report, 'slackAckMs', () => slackAck());
  }
  if (only.includes('throughput')) {
    log('throughput: 50 requests at once…');
    report.throughput = await timedGroup(report, 'throughput', () => throughput());
  }
  report.seconds = Math.round((Date.now() - started) / 1000);
  report.goals = goals(report);
  return report;
}

const SPEC = {
  command: 'bench',
  invocation: 'npm run bench --',
  synopsis: '[--json] [--only GROUP,…] [--no-write]',
  description: [
    'Measures what Switchyard adds on top of AWS, checks the goals, prints a table (or one JSON object)',
    'and, after a run of every group, rewrites docs/benchmarks.md. Organizations answers at AWS-like',
    'latency and rate in requestPath, drift and provisioning, so a full run takes about half an hour.',
  ].join('\n'),
  options: {
    json: { type: 'boolean', description: 'print one JSON object instead of the table' },
    only: { type: 'string', value: 'GROUP,…', description: `run only these groups: ${GROUPS.join(', ')}` },
    'no-write': { type: 'boolean', description: 'leave docs/benchmarks.md as it is' },
  },
  exitCodes: [
    [0, 'every goal met'],
    [1, 'a goal missed, or the benchmark could not run'],
    [2, 'usage mistake'],
  ],
  failure: 'the benchmark could not run',
} as const satisfies CommandSpec;

async function main(argv: readonly string[]): Promise<number> {
  return runCommand(SPEC, argv, async ({ values }) => {
    const only = values.only !== undefined ? values.only.split(',').map((g) => g.trim()) : [...GROUPS];
    const unknown = only.filter((g) => !(GROUPS as readonly string[]).includes(g));
    if (unknown.length) throw new UsageError(`Unknown group ${unknown.join(', ')}; groups are ${GROUPS.join(', ')}.`);
    // The steps log their retries and the index its changes; the figures are what this command is
    // for: the variable for the processes the groups start, setLogLevel for this one.
    process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
    logger.setLogLevel('ERROR');
    const report = await runBench(only as Group[], (line) => process.stderr.write(`${line}\n`));
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report));
    if (!values['no-write'] && only.length === GROUPS.length) writeFileSync(join(__dirname, '..', 'docs', 'benchmarks.md'), markdown(report));
    return report.goals.every((g) => g.met) ? EXIT.OK : EXIT.FAILED;
  });
}

if (require.main === module) exitWith(SPEC, main(process.argv.slice(2)));
