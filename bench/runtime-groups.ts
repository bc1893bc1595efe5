import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AWS_ORGANIZATIONS_LATENCY_MS, AWS_ORGANIZATIONS_RATE_PER_SECOND } from '../shared/adapters/local/sim-org';
import type { StateEvent } from '../shared/adapters/local/local-workflow';
import { signSlackRequest } from '../shared/domain/slack-signature';
import { startRuntime, type Runtime } from '../local/runtime';
import { unmetered } from './dynamodb-meter';

/**
 * The benchmark groups that run Switchyard itself: the local runtime with the simulated
 * organization, real time (no simulated clock), on loopback. This module holds what they share
 * and the two groups that stay as they were (slackAckMs, throughput); requestPath, provisioning and
 * drift have their own modules.
 */

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

export const mean = (values: readonly number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN);

export const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Settings a deployment runs with (serverless.yml), so the figures describe AWS rather than the laptop defaults. */
export const DEPLOYED_POLLING = { POLL_FIRST_SECONDS: '5', POLL_MAX_SECONDS: '30', CREATE_SLOT_POLL_SECONDS: '2' };

/**
 * Organizations as AWS answers it, in the simulator's own AWS-like figures (sim-org/pacing.ts says
 * where they come from): every call takes about this long, and the organization answers this many a
 * second, throttling the rest. The groups that turn it on say so.
 */
export const AWS_LIKE_ORGANIZATIONS = { latencyMs: AWS_ORGANIZATIONS_LATENCY_MS, ratePerSecond: AWS_ORGANIZATIONS_RATE_PER_SECOND };

export const AWS_LIKE_ORGANIZATIONS_ENV: Record<string, string> = {
  SWITCHYARD_SIM_LATENCY_MS: String(AWS_LIKE_ORGANIZATIONS.latencyMs),
  SWITCHYARD_SIM_RATE: String(AWS_LIKE_ORGANIZATIONS.ratePerSecond),
};

export interface RuntimeHooks {
  /** Every state machine event, as the runtime reports it. */
  onWorkflowEvent?: (event: StateEvent) => void;
  /** Every function the event bus invoked, with its event and duration. */
  onBusInvocation?: (fn: string, event: unknown, ms: number) => void;
}

/** A fresh local runtime in a temporary data folder; only PATH and `env` reach it (never this shell's settings). */
export async function withRuntime<T>(env: Record<string, string>, run: (rt: Runtime) => Promise<T>, hooks: RuntimeHooks = {}): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const runtime = await startRuntime({
    dataDir,
    port: 0,
    env: { PATH: process.env.PATH, SWITCHYARD_SIM_ACCOUNT_QUOTA: '300', ACCOUNT_QUOTA: '300', ...env },
    onWorkflowEvent: hooks.onWorkflowEvent,
    onBusInvocation: hooks.onBusInvocation,
  });
  try {
    return await run(runtime);
  } finally {
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function post(rt: Runtime, body: unknown): Promise<string> {
  const res = await fetch(`${rt.url}/environments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { id?: string; error?: { message: string } };
  if (!json.id) throw new Error(`request refused (${res.status}): ${json.error?.message}`);
  return json.id;
}

/** Organizations calls the simulated organization has answered or refused so far (every page and retry), by operation. */
export function organizationsCallsByOperation(rt: Runtime): Record<string, number> {
  return { ...rt.sim!.stats().callsByOperation };
}

/**
 * Waits until the runtime has handed out and handled everything pending: the organization's change
 * events (CloudTrail's stand-in, which makes a seeded organization good with a walk) and the event bus.
 */
export async function settled(rt: Runtime): Promise<void> {
  await rt.organizationEventsDelivered();
  await rt.bus.idle();
}

export async function untilFinal(rt: Runtime, ids: string[], deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    // The benchmark's own reads: not part of what a provisioning costs.
    const envs = await unmetered(() => Promise.all(ids.map((id) => rt.deps.environments.get(id))));
    if (envs.every((e) => e && (e.status === 'READY' || e.status === 'FAILED'))) return;
    if (Date.now() > end) throw new Error(`not every environment finished within ${deadlineMs / 1000} s`);
    await sleep(100);
  }
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

