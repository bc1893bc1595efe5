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
