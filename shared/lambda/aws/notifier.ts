import { SesNotifier, createSesClient } from '../../adapters/aws/ses-notifier';
import { SnsNotifier, createSnsClient } from '../../adapters/aws/sns-notifier';
import { SlackResponseUrlChannel } from '../../adapters/http/slack-response-url';
import { SLACK_WEBHOOK_PREFIX, SlackWebhookNotifier } from '../../adapters/http/slack-webhook';
import { WebhookNotifier } from '../../adapters/http/webhook-notifier';
import { named } from '../../use-cases/channels';
import type { Channel, Notifier, Secrets } from '../../ports';
import type { Config } from '../config';
import { lazy } from '../lazy';

/** A notifier whose SDK client is built on its first message: most invocations of a function that carries a channel send nothing on it. */
const onFirstSend = (build: () => Notifier): Notifier => {
  const notifier = lazy(build);
  return { send: (notification) => notifier().send(notification) };
};

/**
 * The channels this deployment has configured, plus the Slack response_url of requests that came
 * from Slack. The AWS ones go first: they answer fastest, and the step shares one task timeout.
 * A channel whose secret is missing from SSM stays in the list and fails on its own when sending,
 * so the other channels still deliver and the gap shows in the environment's timeline.
 */
export const awsChannels = (config: Config, secrets: Secrets): Channel[] => [
  ...(config.SENDER_EMAIL && config.ADMIN_EMAIL ? [named('email', onFirstSend(() => new SesNotifier(createSesClient(), { from: config.SENDER_EMAIL, to: config.ADMIN_EMAIL })))] : []),
  ...(config.NOTIFY_TOPIC_ARN ? [named('sns', onFirstSend(() => new SnsNotifier(createSnsClient(), { topicArn: config.NOTIFY_TOPIC_ARN })))] : []),
  ...(config.SLACK_WEBHOOK_URL_PARAM
    ? [named('slack', new SlackWebhookNotifier({ allowedPrefixes: [SLACK_WEBHOOK_PREFIX], webhookUrl: () => secrets.get('slack-webhook-url') }))]
    : []),
  ...(config.NOTIFY_WEBHOOK_URL ? [named('webhook', new WebhookNotifier({ url: config.NOTIFY_WEBHOOK_URL, secret: () => secrets.get('notify-webhook-secret') }))] : []),
  named('slack-response', new SlackResponseUrlChannel({ allowedPrefixes: config.SLACK_RESPONSE_URL_PREFIXES })),
];
