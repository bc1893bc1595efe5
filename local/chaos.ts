import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFaults } from '../shared/adapters/local/sim-faults';
import { logger } from '../shared/lambda/logger';
import { EXIT, exitWith, runCommand, UsageError, type CommandSpec } from './cli';
import { startRuntime } from './runtime';

/**
 * `npm run chaos -- [--json] [--faults SPEC] [--requests N] [--repeat K]`: the local runtime with
 * faults on (`throttle=0.3,crash-after-create=0.2` by default), N distinct requests (20) each sent K
 * times (3), all at once; waits for every environment to end and reports what happened. Exit code 0
 * when every distinct request ended READY with exactly one account, nothing was lost, no answer was
 * a 5xx and no more than 5 creations ran at once; 1 otherwise or when it could not run; 2 for a usage mistake.
 */

export interface ChaosReport {
  requests: number;
  distinct: number;
  ready: number;
  failed: number;
  accountsCreated: number;
  duplicates: number;
  lost: number;
  maxConcurrentCreates: number;
  /** Answers by HTTP status, e.g. { "202": 20, "200": 40 }. */
  answers: Record<string, number>;
  serverErrors: number;
  faults: string;
  faultsInjected: Record<string, number>;
  seconds: number;
}

export interface ChaosOptions {
  faults?: string;
  requests?: number;
  repeat?: number;
  createSeconds?: number;
  /** Give up waiting after this long (a lost request shows in `lost`). */
  deadlineSeconds?: number;
  /** Run in this (empty) data folder and leave it behind, to be looked at; a temporary one otherwise. */
  dataDir?: string;
  /** Sends the requests (the global fetch by default). */
  fetch?: typeof fetch;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function chaos(opts: ChaosOptions = {}): Promise<ChaosReport> {
  const faults = opts.faults ?? 'throttle=0.3,crash-after-create=0.2';
  const distinct = opts.requests ?? 20;
  const repeat = opts.repeat ?? 3;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'switchyard-chaos-'));
  const send = opts.fetch ?? fetch;
  const started = Date.now();
  const runtime = await startRuntime({
    dataDir,
    port: 0,
    env: {
      ...process.env,
      SWITCHYARD_SIM_FAULTS: faults,
      SWITCHYARD_SIM_CREATE_SECONDS: String(opts.createSeconds ?? 3),
      SWITCHYARD_SIM_ROLE_DELAY_SECONDS: '0',
      // Room for every request: the quota is not what this run is about.
      SWITCHYARD_SIM_ACCOUNT_QUOTA: String(distinct + 10),
      ACCOUNT_QUOTA: String(distinct + 10),
      POLL_FIRST_SECONDS: '1',
      POLL_MAX_SECONDS: '2',
    },
  });
  try {
    const names = Array.from({ length: distinct }, (_, i) => `Chaos ${String(i + 1).padStart(2, '0')}`);
    const sends = names.flatMap((name) => Array.from({ length: repeat }, () => name));
    // Shuffled, so copies of one request race each other rather than arriving in order.
    for (let i = sends.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [sends[i], sends[j]] = [sends[j]!, sends[i]!];
    }
    const answers: Record<string, number> = {};
    const ids = new Map<string, string>();
    await Promise.all(
      sends.map(async (name) => {
        const res = await send(`${runtime.url}/environments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, ou: 'Sandbox/Playground' }) });
        answers[res.status] = (answers[res.status] ?? 0) + 1;
        const body = (await res.json()) as { id?: string };
        if (res.status < 300 && body.id) ids.set(name, body.id);
      }),
    );

    const deadline = Date.now() + (opts.deadlineSeconds ?? 600) * 1000;
    const final = new Map<string, string>();
    while (Date.now() < deadline && final.size < ids.size) {
      for (const [name, id] of ids) {
        if (final.has(name)) continue;
        const env = await runtime.deps.environments.get(id);
        if (env && (env.status === 'READY' || env.status === 'FAILED')) final.set(name, env.status);
      }
      if (final.size < ids.size) await sleep(250);
    }
    await runtime.workflow.idle();

    runtime.sim!.flushStats();
    const stats = runtime.sim!.stats();
    const accounts = runtime.sim!.accountsView().filter((a) => names.includes(a.name));
    const perName = new Map<string, number>();
    for (const a of accounts) perName.set(a.name, (perName.get(a.name) ?? 0) + 1);
    const statuses = [...final.values()];
    return {
      requests: sends.length,
      distinct,
      ready: statuses.filter((s) => s === 'READY').length,
      failed: statuses.filter((s) => s === 'FAILED').length,
      accountsCreated: accounts.length,
      duplicates: [...perName.values()].reduce((sum, n) => sum + (n - 1), 0),
      // Never answered with an id, or never finished.
      lost: distinct - final.size,
      maxConcurrentCreates: stats.maxConcurrentCreates,
      answers,
      serverErrors: Object.entries(answers).filter(([status]) => Number(status) >= 500).reduce((sum, [, n]) => sum + n, 0),
      faults,
      faultsInjected: stats.faultsInjected ?? {},
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    await runtime.close();
    if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

export function chaosPassed(r: ChaosReport): boolean {
  return r.ready === r.distinct && r.accountsCreated === r.distinct && r.duplicates === 0 && r.lost === 0 && r.serverErrors === 0 && r.maxConcurrentCreates <= 5;
}

const SPEC = {
  command: 'chaos',
  invocation: 'npm run chaos --',
  synopsis: '[--json] [--faults SPEC] [--requests N] [--repeat K]',
  description: [
    'Starts the local runtime with faults on, sends N distinct requests K times each, all at once, waits',
    'for every environment to end and reports what happened. It passes when every distinct request',
    'ended READY with exactly one account, none was lost, no answer was a 5xx and no more than five',
    'creations ran at once.',
  ].join('\n'),
  options: {
    json: { type: 'boolean', description: 'print the report as JSON' },
    faults: { type: 'string', value: 'SPEC', description: 'the faults to inject, as SWITCHYARD_SIM_FAULTS (default throttle=0.3,crash-after-create=0.2)' },
    requests: { type: 'integer', value: 'N', min: 1, max: 200, description: 'distinct requests (default 20)' },
    repeat: { type: 'integer', value: 'K', min: 1, max: 200, description: 'times each request is sent (default 3)' },
  },
  exitCodes: [
    [0, 'passed'],
    [1, 'failed, or the run could not run'],
    [2, 'usage mistake'],
  ],
  failure: 'the run could not run',
} as const satisfies CommandSpec;

async function main(argv: readonly string[]): Promise<number> {
  return runCommand(SPEC, argv, async ({ values }) => {
    if (values.faults !== undefined) {
      try {
        parseFaults(values.faults);
      } catch (error) {
        throw new UsageError(`--faults: ${(error as Error).message.replace(/^SWITCHYARD_SIM_FAULTS: /, '')}`);
      }
    }
    // The injected faults make every step log its retries; the report is what this command is for.
    if (!process.env.POWERTOOLS_LOG_LEVEL && !process.env.LOG_LEVEL) logger.setLogLevel('ERROR');
    const report = await chaos({ faults: values.faults, requests: values.requests, repeat: values.repeat });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      process.stdout.write(
        [
          `Chaos run with ${report.faults}: ${report.distinct} distinct requests sent ${report.requests / report.distinct}× each, all at once (${report.seconds} s)`,
          `  answers            ${Object.entries(report.answers).map(([s, n]) => `${s}×${n}`).join(' ')}`,
          `  READY / FAILED     ${report.ready} / ${report.failed}`,
          `  accounts created   ${report.accountsCreated} (duplicates ${report.duplicates}, lost ${report.lost})`,
          `  most at once       ${report.maxConcurrentCreates} creations`,
          `  faults injected    ${Object.entries(report.faultsInjected).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
          chaosPassed(report) ? 'PASS' : 'FAIL',
          '',
        ].join('\n'),
      );
    }
    return chaosPassed(report) ? EXIT.OK : EXIT.FAILED;
  });
}

if (require.main === module) exitWith(SPEC, main(process.argv.slice(2)));
