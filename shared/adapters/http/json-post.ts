import { withDeliveryOutcome } from '../../domain/delivery';
import { AwsRequestRejectedError, RetryableAwsError } from '../../domain/errors';

/**
 * POSTs JSON to a receiver outside AWS (Slack, an operator's webhook endpoint) with a timeout per
 * attempt and a few jittered retries. The URLs involved are often bearer capabilities (a Slack
 * webhook or response_url lets anyone holding it post), so nothing here puts a URL in an error
 * message; callers name the destination in words instead.
 */

export interface JsonPostOptions {
  fetch?: typeof fetch;
  /** Per attempt, including reading the answer. Default 5000. */
  timeoutMs?: number;
  /** Further attempts after a 5xx, 429, timeout or network error. Default 2. */
  retries?: number;
  /** Waits between attempts; injectable so tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
}

/** How a delivery is named in errors. */
export interface JsonPostTarget {
  /** Who answers, as the start of a sentence: `Slack`, `The notification webhook receiver`. */
  receiver: string;
  /** Where the message went, in words: `the command's response_url`. Never the URL. */
  destination: string;
  /** Carried as `awsError` on the thrown errors, so logs and the timeline say which channel it was. */
  service: string;
}

export interface JsonPostRequest {
  url: string;
  /** Already serialised: a signature may cover these exact bytes. */
  body: string;
  headers?: Record<string, string>;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_RETRIES = 2;
const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 2000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The URL when it is http(s) without embedded credentials, else undefined. */
export function parseHttpUrl(url: string): URL | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
    if (parsed.username || parsed.password) return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}

/** Full jitter: a random wait up to an exponentially growing bound, so retries from many functions spread out. */
function backoffMs(retry: number): number {
  return Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (retry - 1));
}

/** Receivers' error bodies are short codes at best (`expired_url`, `invalid_blocks`); keep only such characters so nothing else leaks. */
function errorCode(body: string): string {
  const code = body.replace(/[^A-Za-z0-9_ .-]/g, '').trim().slice(0, 80);
  return code ? ` ${code}` : '';
}

function networkCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : (error as Error | undefined)?.name;
}

/** Failures before a connection carried the request: no name, no route, refused, or a certificate not trusted. */
const NO_REQUEST_CODES = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|UND_ERR_CONNECT_TIMEOUT|ERR_TLS_.*|CERT_.*|UNABLE_TO_.*|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)$/;

/** `reached`: the receiver may have the message (a timeout or a dropped connection after sending); false when it answered or was never reached. */
type Attempt = { outcome: 'delivered' } | { outcome: 'retry'; problem: string; reached: boolean } | { outcome: 'final'; problem: string };

async function attempt(doFetch: typeof fetch, request: JsonPostRequest, timeoutMs: number): Promise<Attempt> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    // Redirects are not followed: an allowed host redirecting elsewhere would undo any URL check.
    const response = await doFetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...request.headers },
      body: request.body,
      signal: controller.signal,
      redirect: 'manual',
    });
    if (response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return { outcome: 'delivered' };
    }
    const problem = `HTTP ${response.status}${errorCode(await response.text().catch(() => ''))}`;
    // 429 asks to slow down, it is no verdict on the message: worth another try like a 5xx.
    if (response.status >= 500 || response.status === 429) return { outcome: 'retry', problem, reached: false };
    return { outcome: 'final', problem };
  } catch (error) {
    if (controller.signal.aborted) return { outcome: 'retry', problem: `no answer within ${timeoutMs} ms`, reached: true };
    const code = networkCode(error);
    return { outcome: 'retry', problem: `network error${code ? ` (${code})` : ''}`, reached: !code || !NO_REQUEST_CODES.test(code) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Delivers one JSON body. Throws AwsRequestRejectedError when the receiver refuses it (4xx other
 * than 429, or a redirect: retrying would not help) and RetryableAwsError when it stayed unreachable
 * or failing through every retry, which the state machine retries later. Both names are what the
 * workflow's Retry and Catch already match on. Each error says whether the message may still have
 * arrived (an attempt timed out or lost its connection after sending): see domain/delivery.ts.
 */
export async function postJson(request: JsonPostRequest, target: JsonPostTarget, opts: JsonPostOptions = {}): Promise<void> {
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retries = Math.max(0, Math.floor(opts.retries ?? DEFAULT_RETRIES));
  const sleep = opts.sleep ?? defaultSleep;

  let problem = '';
  // Whether some attempt may have delivered it: then no caller may send it again (it is sent at most once).
  let reached = false;
  for (let n = 0; n <= retries; n++) {
    if (n > 0) await sleep(backoffMs(n));
    const result = await attempt(doFetch, request, timeoutMs);
    if (result.outcome === 'delivered') return;
    if (result.outcome === 'final') {
      throw withDeliveryOutcome(new AwsRequestRejectedError(`${target.receiver} refused the message posted to ${target.destination}: ${result.problem}`, target.service), { nothingSent: !reached });
    }
    problem = result.problem;
    reached ||= result.reached;
  }
  throw withDeliveryOutcome(
    new RetryableAwsError(`${target.receiver} did not accept the message posted to ${target.destination} after ${retries + 1} attempts: ${problem}`, target.service),
    { nothingSent: !reached },
  );
}
