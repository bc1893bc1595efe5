import { SesNotifier, createSesClient } from '../../adapters/aws/ses-notifier';
import { SlackResponseUrlChannel } from '../../adapters/http/slack-response-url';
import { named } from '../../use-cases/channels';
import type { Channel } from '../../ports';
import type { Config } from '../config';

/** Email through SES when configured, and the Slack response_url of requests that came from Slack. */
export const awsChannels = (config: Config): Channel[] => [
  ...(config.SENDER_EMAIL && config.ADMIN_EMAIL ? [named('email', new SesNotifier(createSesClient(), { from: config.SENDER_EMAIL, to: config.ADMIN_EMAIL }))] : []),
  named('slack-response', new SlackResponseUrlChannel({ allowedPrefixes: config.SLACK_RESPONSE_URL_PREFIXES })),
];
