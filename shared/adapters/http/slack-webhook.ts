import { NotConfiguredError } from '../../domain/errors';
import { EXTEND_BUTTON_SECONDS } from '../../domain/lease-schedule';
import { approvalRequestMessage, closedMessage, driftMessage, failedMessage, leaseReminderMessage, readyMessage, type SlackBlock, type SlackMessage } from '../../domain/slack-messages';
import type { Notification, Notifier } from '../../ports';
import type { JsonPostTarget } from './json-post';
import { assertAllowedResponseUrl, checkAllowedPrefixes, postToResponseUrl, type ResponseUrlOptions } from './slack-response-url';

/**
 * Posts the outcome to a Slack channel through an incoming webhook. The webhook URL is a bearer
 * capability (whoever holds it can post into the channel), so it is read from the secrets store at
 * send time rather than from configuration, and never appears in logs or errors. It goes through the
 * same prefix guard as a slash command's response_url: a wrong or tampered value must not turn the
 * function into a client of internal addresses.
 */

/** Where Slack's incoming webhooks live; the only prefix allowed on AWS. */
export const SLACK_WEBHOOK_PREFIX = 'https://hooks.slack.com/';

const TARGET: JsonPostTarget = { receiver: 'Slack', destination: 'the incoming webhook', service: 'SlackWebhook' };

/** An incoming-webhook payload: the slash-command reply without the fields only response_url understands. */
export interface SlackWebhookMessage {
  text: string;
  blocks: SlackBlock[];
}

export function slackWebhookMessage(notification: Notification): SlackWebhookMessage {
  const reply = slackNotificationMessage(notification);
  return { text: reply.text, blocks: reply.blocks };
}

function slackNotificationMessage(notification: Notification): SlackMessage {
  switch (notification.kind) {
    case 'drift':
      return driftMessage(notification.report, notification.detected);
    case 'ready':
      return readyMessage(notification.environment, notification.switchRole);
    case 'failed':
      return failedMessage(notification.environment);
    case 'approval':
      // The buttons post to the Slack app's interactivity URL: POST /slack/interactions.
      return approvalRequestMessage(notification.environment);
    case 'closed':
      return closedMessage(notification.environment);
    case 'lease-reminder':
      // The Extend button posts to the Slack app's interactivity URL too.
      return leaseReminderMessage(notification.environment, notification.before, EXTEND_BUTTON_SECONDS);
  }
}

export interface SlackWebhookOptions extends ResponseUrlOptions {
  /** The webhook URL, looked up per send so a rotated URL takes effect without a deploy. */
  webhookUrl: () => Promise<string | undefined>;
}

export class SlackWebhookNotifier implements Notifier {
  constructor(private readonly opts: SlackWebhookOptions) {
    checkAllowedPrefixes(opts.allowedPrefixes, 'SlackWebhookNotifier');
  }

  async send(notification: Notification): Promise<void> {
    const url = await this.opts.webhookUrl();
    // Not configured is an operator's problem, not a passing one: say so instead of retrying.
    if (!url) throw new NotConfiguredError('The Slack incoming webhook URL is not set (SLACK_WEBHOOK_URL locally, the SSM parameter named by SLACK_WEBHOOK_URL_PARAM on AWS).');
    try {
      assertAllowedResponseUrl(url, this.opts.allowedPrefixes);
    } catch {
      throw new NotConfiguredError(`The configured Slack incoming webhook URL is not below an allowed prefix (${this.opts.allowedPrefixes.join(', ')}).`);
    }
    await postToResponseUrl(url, slackWebhookMessage(notification), this.opts, TARGET);
  }
}
