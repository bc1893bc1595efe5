import { postToResponseUrl } from '../adapters/http/slack-response-url';
import type { JsonPostTarget } from '../adapters/http/json-post';
import type { SlackMessage } from '../domain/slack-messages';
import type { SlackRespond } from '../use-cases/slack-interaction';
import type { Config } from './config';

/**
 * How long a button click's reply on its response_url may take. Slack wants the click answered within
 * 3 s and the decision comes first, so the update gets one short attempt: if Slack is slow the
 * decision still stands, and the next click on the unchanged message shows it.
 */
export const INTERACTION_REPLY_TIMEOUT_MS = 1500;

const TARGET: JsonPostTarget = { receiver: 'Slack', destination: "the button click's response_url", service: 'SlackResponseUrl' };

/** Posts a click's reply to its response_url, under the same SSRF guard as every Slack post, once and briefly. */
export function interactionResponder(config: Pick<Config, 'SLACK_RESPONSE_URL_PREFIXES'>): SlackRespond {
  return (responseUrl: string, message: SlackMessage) =>
    postToResponseUrl(responseUrl, message, { allowedPrefixes: config.SLACK_RESPONSE_URL_PREFIXES, timeoutMs: INTERACTION_REPLY_TIMEOUT_MS, retries: 0 }, TARGET);
}
