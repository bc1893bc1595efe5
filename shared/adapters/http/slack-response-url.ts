import { AwsRequestRejectedError, InvalidInputError, RetryableAwsError } from '../../domain/errors';
import { failedMessage, readyMessage } from '../../domain/slack-messages';
import type { Notification, Notifier } from '../../ports';

/**
 * Answers a Slack slash command later, through the `response_url` Slack gave with it. That URL is a
 * bearer capability (anyone holding it may post into the conversation for 30 minutes), so nothing
 * here logs it or puts it in an error message. It is also caller-supplied, so only URLs below a
 * configured prefix are ever fetched: otherwise a forged request could make the function call
 * internal addresses such as the instance metadata endpoint.
 */

export interface ResponseUrlOptions {
  /** URL prefixes a response_url must start with; on AWS `https://hooks.slack.com/`. */
  allowedPrefixes: readonly string[];
  fetch?: typeof fetch;
  /** Per attempt, including reading the answer. Default 5000. */
  timeoutMs?: number;
  /** Further attempts after a 5xx, 429, timeout or network error. Default 2. */
  retries?: number;
  /** Waits between attempts; injectable so tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
}

const SERVICE = 'SlackResponseUrl';
const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_RETRIES = 2;
const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 2000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function refused(): InvalidInputError {
  return new InvalidInputError('The Slack response_url is not an address Switchyard may post to.', [
    { field: 'response_url', message: 'must start with one of the configured Slack response URL prefixes' },
  ]);
}

function parsePrefix(prefix: string): URL | undefined {
  try {
    const url = new URL(prefix);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns the normalised URL when it may be posted to, else throws InvalidInputError. The comparison
 * runs on the parsed form and also requires the same origin, so neither `https://hooks.slack.com.evil.example/`
 * nor `https://hooks.slack.com@evil.example/` nor dot segments can slip past a prefix. Handlers
 * should call it when a command arrives, so a bad URL is refused before it is stored.
 */
export function assertAllowedResponseUrl(url: string, allowedPrefixes: readonly string[]): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refused();
  }
  if (parsed.username || parsed.password || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) throw refused();
  const allowed = allowedPrefixes.some((prefix) => {
    const p = parsePrefix(prefix);
    return p !== undefined && p.origin === parsed.origin && parsed.href.startsWith(p.href);
  });
  if (!allowed) throw refused();
  return parsed;
}

/** Full jitter: a random wait up to an exponentially growing bound, so retries from many functions spread out. */
function backoffMs(retry: number): number {
  return Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (retry - 1));
}

/** Slack's error bodies are short codes (`expired_url`, `invalid_blocks`); keep only such characters so nothing else leaks. */
function slackErrorCode(body: string): string {
  const code = body.replace(/[^A-Za-z0-9_ .-]/g, '').trim().slice(0, 80);
  return code ? ` ${code}` : '';
}

function networkProblem(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : (error as Error | undefined)?.name;
  return `network error${code ? ` (${code})` : ''}`;
}

type Attempt = { outcome: 'delivered' } | { outcome: 'retry'; problem: string } | { outcome: 'final'; problem: string };

async function attempt(doFetch: typeof fetch, url: string, body: string, timeoutMs: number): Promise<Attempt> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    // Redirects are not followed: an allowed host redirecting elsewhere would undo the prefix check.
    const response = await doFetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: controller.signal, redirect: 'manual' });
    if (response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return { outcome: 'delivered' };
    }
    const detail = slackErrorCode(await response.text().catch(() => ''));
    const problem = `HTTP ${response.status}${detail}`;
    // 429 is Slack asking to slow down, not a verdict on the message: worth another try like a 5xx.
    if (response.status >= 500 || response.status === 429) return { outcome: 'retry', problem };
    return { outcome: 'final', problem };
  } catch (error) {
    return { outcome: 'retry', problem: controller.signal.aborted ? `no answer within ${timeoutMs} ms` : networkProblem(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * POSTs a message to a slash command's response_url. Throws InvalidInputError (field `response_url`)
 * for a URL outside the allowed prefixes, AwsRequestRejectedError when Slack refuses (4xx: expired,
 * used up, malformed blocks — retrying would not help), RetryableAwsError when Slack stayed
 * unreachable or failing through every retry.
 */
export async function postToResponseUrl(url: string, payload: unknown, opts: ResponseUrlOptions): Promise<void> {
  const target = assertAllowedResponseUrl(url, opts.allowedPrefixes).href;
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retries = Math.max(0, Math.floor(opts.retries ?? DEFAULT_RETRIES));
  const sleep = opts.sleep ?? defaultSleep;
  const body = JSON.stringify(payload);

  let problem = '';
  for (let n = 0; n <= retries; n++) {
    if (n > 0) await sleep(backoffMs(n));
    const result = await attempt(doFetch, target, body, timeoutMs);
    if (result.outcome === 'delivered') return;
    if (result.outcome === 'final') throw new AwsRequestRejectedError(`Slack refused the message posted to the command's response_url: ${result.problem}`, SERVICE);
    problem = result.problem;
  }
  throw new RetryableAwsError(`Slack did not accept the message posted to the command's response_url after ${retries + 1} attempts: ${problem}`, SERVICE);
}

/**
 * Tells the person who ran `/env create` how it ended, in the conversation they asked from.
 * Environments that did not come from Slack have no response_url and are left to the other channels.
 * Sending the same notification twice replaces the message with itself (`replace_original`), so a
 * re-run step is harmless.
 */
export class SlackResponseUrlChannel implements Notifier {
  private readonly opts: ResponseUrlOptions;

  constructor(opts: ResponseUrlOptions) {
    // A typo in the configuration would refuse every reply; better to fail when the function starts.
    if (!opts.allowedPrefixes.length) throw new Error('SlackResponseUrlChannel needs at least one allowed response_url prefix.');
    const invalid = opts.allowedPrefixes.filter((p) => !parsePrefix(p));
    if (invalid.length) throw new Error(`Allowed response_url prefixes must be http(s) URLs: ${invalid.join(', ')}`);
    this.opts = opts;
  }

  async send(notification: Notification): Promise<void> {
    const url = notification.environment.replyTo?.slackResponseUrl;
    if (!url) return;
    const payload = notification.kind === 'ready' ? readyMessage(notification.environment, notification.switchRole) : failedMessage(notification.environment);
    await postToResponseUrl(url, payload, this.opts);
  }

  /** For acknowledgements and progress updates, with the same guard, timeout and retries. */
  post(url: string, payload: unknown): Promise<void> {
    return postToResponseUrl(url, payload, this.opts);
  }
}
