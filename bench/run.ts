import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { logger } from '../shared/lambda/logger';
import { EXIT, exitWith, runCommand, UsageError, type CommandSpec } from '../local/cli';
import { measureBundles, RATIO_GOAL, ZIP_BUDGET_BYTES, type BundleResult } from './bundles';
import { drift, provisioning, slackAck, throughput, type DriftResult, type ProvisioningResult, type SlackAckResult, type ThroughputResult } from './runtime-groups';

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
  bundles?: BundleResult[];
  provisioning?: ProvisioningResult;
  drift?: DriftResult[];
  slackAckMs?: SlackAckResult;
  throughput?: ThroughputResult;
  goals: Goal[];
}

const GROUPS = ['bundles', 'provisioning', 'drift', 'slackAckMs', 'throughput'] as const;
type Group = (typeof GROUPS)[number];

function goals(r: BenchReport): Goal[] {
  const out: Goal[] = [];
  if (r.bundles) {
    const biggest = r.bundles.reduce((a, b) => (b.zipBytes > a.zipBytes ? b : a));
    const worst = r.bundles.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    out.push({ name: 'every zip ≤ 250 KB', target: `≤ ${ZIP_BUDGET_BYTES / 1024} KB`, actual: `${(biggest.zipBytes / 1024).toFixed(1)} KB (${biggest.function})`, met: biggest.zipBytes <= ZIP_BUDGET_BYTES });
    out.push({ name: 'cold load ≤ 1.3 × the SDK-clients-only floor', target: `≤ ${RATIO_GOAL}`, actual: `${worst.ratio} (${worst.function})`, met: worst.ratio <= RATIO_GOAL });
  }
  if (r.provisioning) {
    const p = r.provisioning;
    const limit = Math.max(2000, 0.1 * p.simCreateSeconds * 1000);
    out.push({ name: `READY after the account exists, p95 (creations of ${p.simCreateSeconds} s)`, target: `≤ ${limit} ms`, actual: `${p.readyAfterCreateP95Ms} ms`, met: p.readyAfterCreateP95Ms <= limit });
    const polls = Math.max(p.statusPollsFor2MinCreation.withHistory, p.statusPollsFor2MinCreation.withoutHistory);
    out.push({ name: 'status polls for a 2-minute creation', target: '≤ 15', actual: `${p.statusPollsFor2MinCreation.withHistory} with history, ${p.statusPollsFor2MinCreation.withoutHistory} without`, met: polls <= 15 });
  }
  for (const d of r.drift ?? []) {
    out.push({ name: `drift calls / floor at ${d.accounts} accounts`, target: '≤ 1.25', actual: String(d.ratio), met: d.ratio <= 1.25 });
    if (d.accounts >= 10_000) out.push({ name: `drift peak memory at ${d.accounts} accounts`, target: '< 256 MB', actual: `${d.peakRssMB} MB`, met: d.peakRssMB < 256 });
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
      'Bundles (zip, median cold load of the handler in a fresh Node process, and of a bundle of the same SDK clients alone)',
      table([
        ['function', 'zip KB', 'init ms', 'floor ms', 'ratio', 'SDK clients'],
        ...r.bundles.map((b) => [b.function, (b.zipBytes / 1024).toFixed(1), b.initMs.toFixed(1), b.floorInitMs.toFixed(1), b.ratio.toFixed(2), b.sdkClients.join(' ')]),
      ]),
      '',
    );
  }
  if (r.provisioning) {
    const p = r.provisioning;
    parts.push(
      `Provisioning (${p.samples} environments, simulated creations of ${p.simCreateSeconds} s, deployed poll settings)`,
      `  account SUCCEEDED → environment READY: p50 ${p.readyAfterCreateP50Ms} ms, p95 ${p.readyAfterCreateP95Ms} ms`,
      `  per provisioning: ${p.stateTransitions} state transitions, ${p.organizationsCalls} Organizations calls`,
      `  status polls for a 2-minute creation: ${p.statusPollsFor2MinCreation.withHistory} with a creation-time history, ${p.statusPollsFor2MinCreation.withoutHistory} without`,
      '',
    );
  }
  if (r.drift) {
    parts.push(
      'Drift check (one walk, fresh process)',
      table([['accounts', 'OUs', 'API calls', 'floor', 'ratio', 'seconds', 'peak RSS MB'], ...r.drift.map((d) => [String(d.accounts), String(d.ous), String(d.apiCalls), String(d.floorCalls), String(d.ratio), String(d.seconds), String(d.peakRssMB)])]),
      '',
    );
  }
  if (r.slackAckMs) parts.push(`Slack /env create acknowledgement over ${r.slackAckMs.requests} signed requests: p50 ${r.slackAckMs.p50} ms, p99 ${r.slackAckMs.p99} ms`, '');
  if (r.throughput) {
    const t = r.throughput;
    parts.push(`Throughput: ${t.requests} requests at once, creations of ${t.simCreateSeconds} s, ${t.createLimit} at a time: ${t.wallSeconds} s (floor ${t.floorSeconds} s), ${t.ready} READY, ${t.accountsCreated} accounts, most at once ${t.maxConcurrentCreates}`, '');
  }
  parts.push('Goals', table([['goal', 'target', 'actual', ''], ...r.goals.map((g) => [g.name, g.target, g.actual, g.met ? 'met' : 'MISSED'])]));
  return `${parts.join('\n')}\n`;
}

interface Before {
  how: string;
  bundles: { worstRatio: number; worstFunction: string; bestRatio: number; largestZipKB: number };
  provisioning: { readyAfterCreateP50Ms: number; readyAfterCreateP95Ms: number; organizationsCalls: number; statusPollsFor2MinCreation: number };
  throughput: { wallSeconds: number; floorSeconds: number };
}

/** Before and after the optimisations, for what they changed. */
function beforeAfter(r: BenchReport): string[] {
  const b = JSON.parse(readFileSync(join(__dirname, 'before.json'), 'utf8')) as Before;
  const rows: string[][] = [];
  if (r.bundles) {
    const worst = r.bundles.reduce((x, y) => (y.ratio > x.ratio ? y : x));
    const best = r.bundles.reduce((x, y) => (y.ratio < x.ratio ? y : x));
    const largest = Math.max(...r.bundles.map((x) => x.zipBytes)) / 1024;
    rows.push(['cold load / floor, worst', `${b.bundles.worstRatio} (${b.bundles.worstFunction})`, `${worst.ratio} (${worst.function})`]);
    rows.push(['cold load / floor, best', String(b.bundles.bestRatio), String(best.ratio)]);
    rows.push(['largest zip', `${b.bundles.largestZipKB} KB`, `${largest.toFixed(1)} KB`]);
  }
  if (r.provisioning) {
    const p = r.provisioning;
    rows.push(['SUCCEEDED → READY p50 (20 s creations)', `${b.provisioning.readyAfterCreateP50Ms} ms`, `${p.readyAfterCreateP50Ms} ms`]);
    rows.push(['SUCCEEDED → READY p95', `${b.provisioning.readyAfterCreateP95Ms} ms`, `${p.readyAfterCreateP95Ms} ms`]);
    rows.push(['Organizations calls per provisioning', String(b.provisioning.organizationsCalls), String(p.organizationsCalls)]);
    rows.push(['status polls, 2-minute creation (with history)', String(b.provisioning.statusPollsFor2MinCreation), String(p.statusPollsFor2MinCreation.withHistory)]);
  }
  if (r.throughput) rows.push(['50 requests, 5 s creations, 5 at a time', `${b.throughput.wallSeconds} s (floor ${b.throughput.floorSeconds} s)`, `${r.throughput.wallSeconds} s (floor ${r.throughput.floorSeconds} s)`]);
  return [
    '## Before and after',
    '',
    b.how,
    '',
    '| figure | before | after |',
    '|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    'What changed: zod schemas (the 40-field configuration, the request and task-input schemas), the',
    'Powertools logger, middy and the Standard Webhooks signer are built on first use instead of at',
    'import; status polls land when recent creations (AWS\'s own timestamps, kept in the registry) say the',
    'account will exist, then within max(2 s, 10%); ConfigureAccount waits for the new role inside the',
    'task in quarter-second steps instead of a 3 s workflow retry; a queued creation asks for a slot',
    'inside the task for up to 20 s. The drift walk was built at its floor from the start.',
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
    `Run: ${r.startedAt}, ${r.seconds} s. Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGB} GB, ${m.platform}, Node ${m.node}.`,
    '',
    '## Method',
    '',
    '- **bundles**: `osls package` offline, then each function\'s zip size, and the median over 15 runs of',
    '  `require()` of its `handler.js` (import and handler construction, no invocation) in a fresh Node',
    '  process, against the floor: a bundle built with the same esbuild options that imports only the',
    '  same AWS SDK clients and does nothing else. Function and floor runs alternate. On this machine',
    '  the ratios move by about ±0.03 from one run to the next; the worst sits just under the goal.',
    '- **provisioning**: the local runtime (simulated organization, real time) with the deployed poll',
    '  settings (first 5 s, at most 30 s, slot polls 2 s). One warm-up provisioning gives the registry a',
    '  creation time to poll around, as a deployment has after its first account; then 10 environments',
    '  are requested at once with creations of 20 s. Measured per environment: the simulated',
    '  organization\'s CompletedTimestamp to the READY timeline entry (polling, PlaceAccount,',
    '  GrantAccess, ConfigureAccount with the 1 s role delay, NotifyAdmin, RecordReady); state',
    '  transitions entered; Organizations calls (pre-flight included). The 2-minute poll counts',
    '  replay the deployed poll policy over a 120 s creation with and without a history.',
    '- **drift**: a fresh process seeds a simulated organization (N accounts round-robin over 200 OUs',
    '  three levels deep, plus the walk-through OUs), opens the registry and runs one check; calls are',
    '  every Organizations request sent (pages and retries); the floor is ListRoots plus, per parent,',
    '  at least one page of child OUs and one page of accounts per 20. Peak RSS is the process\'s maxRSS.',
    '- **slackAckMs**: 100 signed `/env create` requests one after another to the local runtime over',
    '  loopback, from request to response; each hands over an event that starts a provisioning, so',
    '  later acknowledgements run alongside earlier provisionings.',
    '- **throughput**: 50 requests at once, creations of 5 s, five at a time; wall time from the',
    '  first request to the last READY, against the floor ceil(50/5) × 5 s.',
    '',
    '## Results',
    '',
    '```',
    renderText(r).trimEnd(),
    '```',
    '',
    ...beforeAfter(r),
    '## Reproduce',
    '',
    '```sh',
    'npm ci',
    'npm run bench            # table, and rewrites this file',
    'npm run bench -- --json  # one JSON object: bundles, provisioning, drift, slackAckMs, throughput, goals',
    'npm run bench -- --only drift,slackAckMs --no-write',
    '```',
    '',
  ];
  return lines.join('\n');
}

export async function runBench(only: readonly Group[], log: (line: string) => void): Promise<BenchReport> {
  const started = Date.now();
  const cpu = cpus();
  const report: BenchReport = {
    machine: { node: process.versions.node, platform: `${process.platform} ${process.arch}`, cpus: cpu.length, cpuModel: cpu[0]?.model.trim() ?? 'unknown', memoryGB: Math.round(totalmem() / 2 ** 30) },
    startedAt: new Date(started).toISOString(),
    seconds: 0,
    goals: [],
  };
  if (only.includes('bundles')) {
    log('bundles: packaging and timing cold loads…');
    report.bundles = await measureBundles({ log });
  }
  if (only.includes('drift')) {
    log('drift: 1,000 and 10,000 accounts in 200 OUs…');
    report.drift = [drift(1_000, 200), drift(10_000, 200)];
  }
  if (only.includes('slackAckMs')) {
    log('slackAckMs: 100 signed /env create…');
    report.slackAckMs = await slackAck();
  }
  if (only.includes('provisioning')) {
    log('provisioning: 20 s creations…');
    report.provisioning = await provisioning({ log });
  }
  if (only.includes('throughput')) {
    log('throughput: 50 requests at once…');
    report.throughput = await throughput();
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
    'and, after a run of every group, rewrites docs/benchmarks.md. Takes about five minutes.',
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
    // The steps log their retries; the figures are what this command is for.
    logger.setLogLevel('ERROR');
    const report = await runBench(only as Group[], (line) => process.stderr.write(`${line}\n`));
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report));
    if (!values['no-write'] && only.length === GROUPS.length) writeFileSync(join(__dirname, '..', 'docs', 'benchmarks.md'), markdown(report));
    return report.goals.every((g) => g.met) ? EXIT.OK : EXIT.FAILED;
  });
}

if (require.main === module) exitWith(SPEC, main(process.argv.slice(2)));
