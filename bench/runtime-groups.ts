import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLL_POLICY, nextPollDelay, type PollPolicy } from '../shared/domain/polling';
import { signSlackRequest } from '../shared/domain/slack-signature';
import { startRuntime, type Runtime } from '../local/runtime';

/**
 * The benchmark groups that run Switchyard itself: the local runtime with the simulated
 * organization, real time (no simulated clock), on loopback.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Settings a deployment runs with (serverless.yml), so the figures describe AWS rather than the laptop defaults. */
const DEPLOYED_POLLING = { POLL_FIRST_SECONDS: '5', POLL_MAX_SECONDS: '30', CREATE_SLOT_POLL_SECONDS: '2' };

async function withRuntime<T>(env: Record<string, string>, run: (rt: Runtime, transitions: Map<string, number>) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const transitions = new Map<string, number>();
  const runtime = await startRuntime({
    dataDir,
    port: 0,
    env: { PATH: process.env.PATH, SWITCHYARD_SIM_ACCOUNT_QUOTA: '300', ACCOUNT_QUOTA: '300', ...env },
    onWorkflowEvent: (e) => {
      if (e.type === 'StateEntered') transitions.set(e.execution, (transitions.get(e.execution) ?? 0) + 1);
    },
  });
  try {
    return await run(runtime, transitions);
  } finally {
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function post(rt: Runtime, body: unknown): Promise<string> {
  const res = await fetch(`${rt.url}/environments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { id?: string; error?: { message: string } };
  if (!json.id) throw new Error(`request refused (${res.status}): ${json.error?.message}`);
  return json.id;
}

async function untilFinal(rt: Runtime, ids: string[], deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const envs = await Promise.all(ids.map((id) => rt.deps.environments.get(id)));
    if (envs.every((e) => e && (e.status === 'READY' || e.status === 'FAILED'))) return;
    if (Date.now() > end) throw new Error(`not every environment finished within ${deadlineMs / 1000} s`);
    await sleep(100);
  }
}

/** Poll count until a creation of `seconds` is seen, with a policy and what recent creations took. */
export function statusPolls(policy: PollPolicy, seconds: number, expected?: number): number {
  let elapsed = 0;
  let polls = 0;
  while (elapsed < seconds) {
    elapsed += nextPollDelay(policy, polls, elapsed, expected);
    polls++;
  }
  return polls;
}

export interface ProvisioningResult {
  simCreateSeconds: number;
  samples: number;
  readyAfterCreateP50Ms: number;
  readyAfterCreateP95Ms: number;
  stateTransitions: number;
  organizationsCalls: number;
  statusPollsFor2MinCreation: { withHistory: number; withoutHistory: number };
}

/**
 * Time from the moment the simulated organization marks an account SUCCEEDED to its environment
 * being READY, over `samples` provisionings with creations of `createSeconds`, after one warm-up
 * provisioning that gives the registry a creation time to poll around (as any deployment has after
 * its first account).
 */
export async function provisioning(opts: { createSeconds?: number; samples?: number; log?: (line: string) => void } = {}): Promise<ProvisioningResult> {
  const createSeconds = opts.createSeconds ?? 20;
  const samples = opts.samples ?? 10;
  return withRuntime({ ...DEPLOYED_POLLING, SWITCHYARD_SIM_CREATE_SECONDS: String(createSeconds) }, async (rt, transitions) => {
    const warm = await post(rt, { name: 'Warm Up', ou: 'Sandbox/Playground' });
    await untilFinal(rt, [warm], 300_000);
    opts.log?.(`  provisioning: warm-up done; ${samples} environments with ${createSeconds} s creations`);
    rt.sim!.flushStats();
    const callsBefore = totalCalls(rt);
    const names = Array.from({ length: samples }, (_, i) => `Bench ${String(i + 1).padStart(2, '0')}`);
    const ids = await Promise.all(names.map((name) => post(rt, { name, ou: 'Sandbox/Playground' })));
    await untilFinal(rt, ids, 600_000);
    await rt.workflow.idle();
    rt.sim!.flushStats();
    const calls = totalCalls(rt) - callsBefore;

    const completed = new Map((rt.sim!.ListCreateAccountStatus({ States: ['SUCCEEDED'] }).CreateAccountStatuses ?? []).map((s) => [s.AccountName!, s.CompletedTimestamp!]));
    const delays: number[] = [];
    const perExecution: number[] = [];
    for (const id of ids) {
      const env = (await rt.deps.environments.get(id))!;
      if (env.status !== 'READY') throw new Error(`${env.name} ended ${env.status}: ${env.failure?.message}`);
      const readyAt = Date.parse(env.timeline.findLast((t) => t.status === 'READY')!.at);
      delays.push(readyAt - new Date(completed.get(env.name)!).getTime());
      perExecution.push(transitions.get(env.executionName) ?? 0);
    }
    const deployed: PollPolicy = { ...DEFAULT_POLL_POLICY };
    return {
      simCreateSeconds: createSeconds,
      samples,
      readyAfterCreateP50Ms: round(percentile(delays, 50)),
      readyAfterCreateP95Ms: round(percentile(delays, 95)),
      stateTransitions: percentile(perExecution, 50),
      organizationsCalls: round(calls / samples, 1),
      statusPollsFor2MinCreation: { withHistory: statusPolls(deployed, 120, 120), withoutHistory: statusPolls(deployed, 120) },
    };
  });
}

function totalCalls(rt: Runtime): number {
  return Object.values(rt.sim!.stats().callsByOperation).reduce((a, b) => a + b, 0);
}

export interface ThroughputResult {
  requests: number;
  createLimit: number;
  simCreateSeconds: number;
  wallSeconds: number;
  floorSeconds: number;
  ready: number;
  accountsCreated: number;
  duplicates: number;
  maxConcurrentCreates: number;
}

/** `requests` at once with creations of `createSeconds` and AWS's five-at-once limit: the queue's overhead. */
export async function throughput(opts: { requests?: number; createSeconds?: number } = {}): Promise<ThroughputResult> {
  const requests = opts.requests ?? 50;
  const createSeconds = opts.createSeconds ?? 5;
  const limit = 5;
  return withRuntime({ ...DEPLOYED_POLLING, SWITCHYARD_SIM_CREATE_SECONDS: String(createSeconds), POLL_FIRST_SECONDS: '1', POLL_MAX_SECONDS: '5' }, async (rt) => {
    const names = Array.from({ length: requests }, (_, i) => `Load ${String(i + 1).padStart(3, '0')}`);
    const started = Date.now();
    const ids = await Promise.all(names.map((name) => post(rt, { name, ou: 'Sandbox/Playground' })));
    await untilFinal(rt, ids, 900_000);
    const wall = (Date.now() - started) / 1000;
    const envs = await Promise.all(ids.map((id) => rt.deps.environments.get(id)));
    const accounts = rt.sim!.accountsView().filter((a) => names.includes(a.name));
    return {
      requests,
      createLimit: limit,
      simCreateSeconds: createSeconds,
      wallSeconds: round(wall, 1),
      floorSeconds: Math.ceil(requests / limit) * createSeconds,
      ready: envs.filter((e) => e?.status === 'READY').length,
      accountsCreated: accounts.length,
      duplicates: accounts.length - new Set(accounts.map((a) => a.name)).size,
      maxConcurrentCreates: rt.sim!.stats().maxConcurrentCreates,
    };
  });
}

export interface SlackAckResult {
  requests: number;
  p50: number;
  p99: number;
}

/** The slash-command acknowledgement, end to end over loopback: `requests` signed `/env create`, one after another. */
export async function slackAck(opts: { requests?: number } = {}): Promise<SlackAckResult> {
  const requests = opts.requests ?? 100;
  const secret = 'bench-signing-secret';
  // Where Slack would receive the progress and result messages: a loopback receiver that answers 200.
  const receiver = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end('ok')));
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  const responseUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/slack/`;
  try {
    return await withRuntime({ SLACK_SIGNING_SECRET: secret, SLACK_RESPONSE_URL_PREFIXES: responseUrl, SWITCHYARD_SIM_CREATE_SECONDS: '5', DEFAULT_OU: 'Sandbox/Playground' }, async (rt) => {
    const times: number[] = [];
    for (let i = 0; i < requests; i++) {
      const body = new URLSearchParams({ team_id: 'T1', user_id: 'U1', user_name: 'bench', command: '/env', text: `create ack-${String(i + 1).padStart(3, '0')}`, response_url: `${responseUrl}${i}` }).toString();
      const timestamp = String(Math.floor(Date.now() / 1000));
      const started = performance.now();
      const res = await fetch(`${rt.url}/slack/commands`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signSlackRequest(secret, timestamp, body) },
        body,
      });
      const text = await res.text();
      times.push(performance.now() - started);
      // The acknowledgement of a create names the environment; a usage or refusal message would not.
      if (res.status !== 200 || !text.includes(`ack-${String(i + 1).padStart(3, '0')}`) || text.includes(':warning:')) throw new Error(`the acknowledgement was ${res.status}: ${text.slice(0, 200)}`);
    }
    await rt.bus.idle();
    return { requests, p50: round(percentile(times, 50), 1), p99: round(percentile(times, 99), 1) };
    });
  } finally {
    await new Promise<void>((ok) => receiver.close(() => ok()));
  }
}

export interface DriftResult {
  accounts: number;
  ous: number;
  apiCalls: number;
  floorCalls: number;
  ratio: number;
  seconds: number;
  peakRssMB: number;
}

/** One drift check over a seeded organization, in a fresh process so its peak memory is its own. */
export function drift(accounts: number, ous: number): DriftResult {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'drift-child.ts'), String(accounts), String(ous)], {
    cwd: join(__dirname, '..'),
    encoding: 'utf8',
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`drift run failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as DriftResult;
}
