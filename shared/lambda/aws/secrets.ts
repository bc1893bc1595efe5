import { SsmSecrets, createSsmClient } from '../../adapters/aws/ssm-secrets';
import type { Config } from '../config';

export const awsSecrets = (config: Config) =>
  new SsmSecrets(createSsmClient(), {
    'slack-signing-secret': config.SLACK_SIGNING_SECRET_PARAM,
    'webhook-secret': config.WEBHOOK_SECRET_PARAM,
    'slack-webhook-url': config.SLACK_WEBHOOK_URL_PARAM,
    'notify-webhook-secret': config.NOTIFY_WEBHOOK_SECRET_PARAM,
  });
