import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** Polls an environment until it is READY or FAILED (bounded by count, not by a timing assertion). */
export async function waitForFinal(base: string, id: string, maxPolls = 600): Promise<any> {
  for (let i = 0; i < maxPolls; i++) {
    const { body } = await call(base, 'GET', `/environments/${id}`);
    if (body.status === 'READY' || body.status === 'FAILED') return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`environment ${id} did not finish`);
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
