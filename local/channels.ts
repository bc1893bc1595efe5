import { join } from 'node:path';
import { SesNotifier, createSesClient } from '../shared/adapters/aws/ses-notifier';
import { snsMessage } from '../shared/adapters/aws/sns-notifier';
import { parseHttpUrl } from '../shared/adapters/http/json-post';
import { SlackResponseUrlChannel } from '../shared/adapters/http/slack-response-url';
import { SLACK_WEBHOOK_PREFIX, SlackWebhookNotifier, slackWebhookMessage } from '../shared/adapters/http/slack-webhook';
import { WebhookNotifier, notificationEvent, webhookMessageId } from '../shared/adapters/http/webhook-notifier';
import { OutboxNotifier } from '../shared/adapters/local/outbox-notifier';
import type { Config } from '../shared/lambda/config';
import type { Channel, Notification, Notifier, Secrets } from '../shared/ports';
import { named } from '../shared/use-cases/channels';

export interface LocalChannelOptions {
  config: Config;
  env: Record<string, string | undefined>;
  secrets: Secrets;
  dataDir: string;
  /** `--aws`: email goes through SES when SENDER_EMAIL and ADMIN_EMAIL are set. */
  aws?: boolean;
  print?: (line: string) => void;
}

/**
 * Writes the outbox file first, then delivers for real: the file shows what was sent even when the
 * receiver is down, and the channel counts as sent only once the real delivery went through.
 */
function outboxThen(outbox: Notifier, real?: Notifier): Notifier {
  if (!real) return outbox;
  return {
    async send(notification: Notification) {
      await outbox.send(notification);
      await real.send(notification);
    },
  };
}

/**
 * Every notification channel, as the local runtime runs them: each writes what it would send to
 * `<dataDir>/outbox/<env id>.<kind>.<channel>.json`; Slack and the webhook also post for real when
 * SLACK_WEBHOOK_URL / NOTIFY_WEBHOOK_URL are set. SNS has no local endpoint, so it stays in the outbox.
 */
export function localChannels(opts: LocalChannelOptions): Channel[] {
  const { config, env, secrets, print } = opts;
  const dir = join(opts.dataDir, 'outbox');

  const email =
    opts.aws && config.SENDER_EMAIL && config.ADMIN_EMAIL
      ? new SesNotifier(createSesClient(), { from: config.SENDER_EMAIL, to: config.ADMIN_EMAIL })
      : new OutboxNotifier(dir, { channel: 'email', print });

  const slackOutbox = new OutboxNotifier(dir, {
    channel: 'slack',
    print,
    render: (n) => {
      const payload = slackWebhookMessage(n);
      return { summary: payload.text, content: { payload } };
    },
  });
  let slackPost: Notifier | undefined;
  if (env.SLACK_WEBHOOK_URL) {
    const url = parseHttpUrl(env.SLACK_WEBHOOK_URL);
    if (!url) throw new Error('SLACK_WEBHOOK_URL must be an http(s) URL without credentials in it.');
    // Locally the operator names the URL, so its own origin is allowed too (a loopback stand-in for Slack);
    // nothing else beyond hooks.slack.com is.
    slackPost = new SlackWebhookNotifier({ allowedPrefixes: [SLACK_WEBHOOK_PREFIX, `${url.origin}/`], webhookUrl: () => secrets.get('slack-webhook-url') });
  }

  const webhookOutbox = new OutboxNotifier(dir, {
    channel: 'webhook',
    print,
    render: (n) => {
      const payload = notificationEvent(n);
      return { summary: `${payload.type} ${webhookMessageId(n)}`, content: { webhookId: webhookMessageId(n), payload } };
    },
  });
  let webhookPost: Notifier | undefined;
  if (config.NOTIFY_WEBHOOK_URL) {
    // Unsigned deliveries would be refused by any receiver that checks; better to say so at start.
    if (!env.NOTIFY_WEBHOOK_SECRET) throw new Error('NOTIFY_WEBHOOK_URL is set but NOTIFY_WEBHOOK_SECRET (whsec_<base64>) is not.');
    webhookPost = new WebhookNotifier({ url: config.NOTIFY_WEBHOOK_URL, secret: () => secrets.get('notify-webhook-secret') });
  }

  const sns = new OutboxNotifier(dir, {
    channel: 'sns',
    print,
    render: (n) => {
      const message = snsMessage(n);
      return { summary: message.subject, content: { ...(config.NOTIFY_TOPIC_ARN ? { topicArn: config.NOTIFY_TOPIC_ARN } : {}), ...message } };
    },
  });

  return [
    named('email', email),
    named('sns', sns),
    named('slack', outboxThen(slackOutbox, slackPost)),
    named('webhook', outboxThen(webhookOutbox, webhookPost)),
    named('slack-response', new SlackResponseUrlChannel({ allowedPrefixes: config.SLACK_RESPONSE_URL_PREFIXES })),
  ];
}
