import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runtime, RuntimeOptions } from '../../local/runtime';

export function tempDataDir(prefix = 'switchyard-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = any>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Non-JSON replies are returned as text so the assertion shows them.
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** Polls an environment until it has one of `statuses` (bounded by count, not by a timing assertion). */
export async function waitForStatus(base: string, id: string, statuses: string | readonly string[], maxPolls = 600): Promise<any> {
  const wanted = typeof statuses === 'string' ? [statuses] : statuses;
  let last: unknown;
  for (let i = 0; i < maxPolls; i++) {
    const { body } = await call(base, 'GET', `/environments/${id}`);
    if (wanted.includes(body?.status)) return body;
    last = body?.status;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`environment ${id} did not become ${wanted.join(' or ')} (last seen: ${String(last)})`);
}

/** Polls an environment until it is READY or FAILED. */
export function waitForFinal(base: string, id: string, maxPolls = 600): Promise<any> {
  return waitForStatus(base, id, ['READY', 'FAILED'], maxPolls);
}

export interface Received {
  path: string;
  headers: import('node:http').IncomingHttpHeaders;
  /** The raw body; callers parse what they expect. */
  body: string;
}

/** A loopback HTTP receiver standing in for Slack or a webhook consumer: records every POST and answers 200. */
export async function startReceiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const { createServer } = await import('node:http');
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

/** Simulated creations of one second, polled every second: e2e runs see the whole lifecycle quickly. */
export const QUICK_SIM_ENV = { SWITCHYARD_SIM_CREATE_SECONDS: '1', POLL_FIRST_SECONDS: '1', POLL_MAX_SECONDS: '1' } as const;

/** The local runtime a test file shares, once its beforeAll has started it. */
export interface FileRuntime {
  readonly runtime: Runtime;
  /** Its base URL (http://127.0.0.1:PORT). */
  readonly url: string;
}

/**
 * Starts the local runtime in the calling file's beforeAll, in-process on a free port over a new data
 * folder, with quick simulated creations (QUICK_SIM_ENV) and `env`; closes it in afterAll and removes
 * the folder. Read it from tests and hooks, not at the file's top level.
 */
export function runtimeForFile(env: Record<string, string> = {}, opts: Pick<RuntimeOptions, 'clock'> & { prefix?: string } = {}): FileRuntime {
  let runtime: Runtime | undefined;
  beforeAll(async () => {
    const { startRuntime } = await import('../../local/runtime');
    runtime = await startRuntime({ dataDir: tempDataDir(opts.prefix), port: 0, ...(opts.clock ? { clock: opts.clock } : {}), env: { ...QUICK_SIM_ENV, ...env } });
  });
  afterAll(async () => {
    if (!runtime) return;
    await runtime.close();
    rmSync(runtime.dataDir, { recursive: true, force: true });
  });
  const started = (): Runtime => {
    if (!runtime) throw new Error('The runtime starts in beforeAll: use it from a test or a hook.');
    return runtime;
  };
  return {
    get runtime() {
      return started();
    },
    get url() {
      return started().url;
    },
  };
}

/** A slash-command form as Slack posts it for `/env <text>`, answering to `responseUrl`. */
export function slackCommandForm(text: string, responseUrl: string): string {
  return new URLSearchParams({
    token: 'unused',
    team_id: 'T1',
    channel_id: 'C1',
    user_id: 'U2CERLKJA',
    user_name: 'roadrunner',
    command: '/env',
    text,
    response_url: responseUrl,
    trigger_id: '1.2.3',
  }).toString();
}

export const projectRoot = join(__dirname, '..', '..');

export interface RuntimeProcess {
  child: import('node:child_process').ChildProcess;
  url: string;
}

/**
 * `npm start -- ARGS` as a real process (`node --import tsx`, not the tsx wrapper, so a signal hits
 * the runtime itself); resolves with its URL once it listens, rejects with its output if it exits first.
 */
export async function startRuntimeProcess(dataDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<RuntimeProcess> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts', '--port', '0', ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...env, SWITCHYARD_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve({ child, url: match[1]! });
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`runtime exited (${code}) before listening:\n${out}`)));
  });
}

/** Resolves once the process has exited (at once if it already has). */
export function exited(child: import('node:child_process').ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/**
 * The simulated organization kept in `dataDir`, served over HTTP on loopback as AWS JSON 1.1: an
 * Organizations endpoint for `--aws` runs (AWS_ENDPOINT_URL_ORGANIZATIONS). Changes made with
 * `npm run sim` on that folder show in its answers.
 */
export async function startOrganizationsEmulator(dataDir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const { createServer } = await import('node:http');
  const { HttpRequest } = await import('@smithy/core/protocols');
  const { SimulatedOrganization } = await import('../../shared/adapters/local/sim-org');
  const { SimulatedOrganizationsHandler } = await import('../../shared/adapters/local/sim-org-transport');
  const handler = new SimulatedOrganizationsHandler(new SimulatedOrganization({ dataDir }));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
      handler.handle(new HttpRequest({ method: req.method ?? 'POST', hostname: '127.0.0.1', path: req.url ?? '/', headers, body: Buffer.concat(chunks) })).then(
        ({ response }) => res.writeHead(response.statusCode, response.headers).end(response.body as Buffer),
        (error: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(error.message),
      );
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/** dynalite on loopback as a DynamoDB endpoint (AWS_ENDPOINT_URL_DYNAMODB), over the tables in `path` (in memory without). */
export async function startDynamoEmulator(path?: string): Promise<{ url: string; close: () => Promise<void> }> {
  const dynalite = (await import('dynalite')).default;
  const server = dynalite({ ...(path ? { path } : {}), createTableMs: 0 });
  await new Promise<void>((ok, fail) => server.listen(0, '127.0.0.1', ok).once('error', fail));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

/** A loopback port nothing listens on: an endpoint that cannot be reached. */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as import('node:net').AddressInfo).port;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}
