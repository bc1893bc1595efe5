import { InvalidInputError } from '../../domain/errors';
import { failedMessage, readyMessage } from '../../domain/slack-messages';
import type { Notification, Notifier } from '../../ports';
import { postJson, type JsonPostOptions, type JsonPostTarget } from './json-post';

/**
 * Answers a Slack slash command later, through the `response_url` Slack gave with it. That URL is a
 * bearer capability (anyone holding it may post into the conversation for 30 minutes), so nothing
 * here logs it or puts it in an error message. It is also caller-supplied, so only URLs below a
 * configured prefix are ever fetched: otherwise a forged request could make the function call
 * internal addresses such as the instance metadata endpoint.
 */

export interface ResponseUrlOptions extends JsonPostOptions {
  /** URL prefixes a response_url must start with; on AWS `https://hooks.slack.com/`. */
  allowedPrefixes: readonly string[];
}

/** How errors name a slash command reply; other Slack posts (the incoming webhook) pass their own. */
export const RESPONSE_URL_TARGET: JsonPostTarget = { receiver: 'Slack', destination: "the command's response_url", service: 'SlackResponseUrl' };

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

/**
 * POSTs a message to a slash command's response_url (or, with its own `target`, another Slack URL
 * under the same guard). Throws InvalidInputError (field `response_url`) for a URL outside the
 * allowed prefixes, AwsRequestRejectedError when Slack refuses (4xx: expired, used up, malformed
 * blocks — retrying would not help), RetryableAwsError when Slack stayed unreachable or failing
 * through every retry.
 */
export async function postToResponseUrl(url: string, payload: unknown, opts: ResponseUrlOptions, target: JsonPostTarget = RESPONSE_URL_TARGET): Promise<void> {
  const href = assertAllowedResponseUrl(url, opts.allowedPrefixes).href;
  await postJson({ url: href, body: JSON.stringify(payload) }, target, opts);
}

/** Throws at construction for an empty or malformed prefix list: a typo would otherwise refuse every post. */
export function checkAllowedPrefixes(allowedPrefixes: readonly string[], what: string): void {
  if (!allowedPrefixes.length) throw new Error(`${what} needs at least one allowed URL prefix.`);
  const invalid = allowedPrefixes.filter((p) => !parsePrefix(p));
  if (invalid.length) throw new Error(`Allowed URL prefixes for ${what} must be http(s) URLs: ${invalid.join(', ')}`);
}

/**
 * Tells the person who ran `/env create` how it ended, in the conversation they asked from.
 * Environments that did not come from Slack have no response_url and are left to the other channels.
 * Sending the same notification twice replaces the message with itself (`replace_original`), so a
 * re-run step is harmless.
 */
/** How long Slack honours a response_url (aws-facts.md: 30 minutes, 5 posts). */
const RESPONSE_URL_LIFETIME_MS = 30 * 60 * 1000;

export class SlackResponseUrlChannel implements Notifier {
  private readonly opts: ResponseUrlOptions;

  constructor(opts: ResponseUrlOptions) {
    // A typo in the configuration would refuse every reply; better to fail when the function starts.
    checkAllowedPrefixes(opts.allowedPrefixes, 'SlackResponseUrlChannel');
    this.opts = opts;
  }

  async send(notification: Notification): Promise<void> {
    // Only an environment's requester has a response_url; a drift summary goes to the admin's channels,
    // and so does the request for approval: its buttons are for the approvers, and the requester was
    // already told that the request waits (the hand-over's progress message).
    // A response_url lasts 30 minutes from the slash command: a lease reminder or a closing comes days
    // later, and so may a ready message after an approval; those go to the admin's channels only.
    if (notification.kind !== 'ready' && notification.kind !== 'failed') return;
    const url = notification.environment.replyTo?.slackResponseUrl;
    // The outcome was recorded (updatedAt) too long after the command (createdAt): Slack would refuse it.
    const { createdAt, updatedAt } = notification.environment;
    if (!url || Date.parse(updatedAt) - Date.parse(createdAt) > RESPONSE_URL_LIFETIME_MS) return;
    const payload = notification.kind === 'ready' ? readyMessage(notification.environment, notification.switchRole) : failedMessage(notification.environment);
    await postToResponseUrl(url, payload, this.opts);
  }

  /** For acknowledgements and progress updates, with the same guard, timeout and retries. */
  post(url: string, payload: unknown): Promise<void> {
    return postToResponseUrl(url, payload, this.opts);
  }
}
