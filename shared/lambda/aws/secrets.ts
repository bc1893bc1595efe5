import { SsmSecrets, createSsmClient } from '../../adapters/aws/ssm-secrets';
import type { SecretName, Secrets } from '../../ports';
import type { Config } from '../config';
import { lazy } from '../lazy';

/**
 * The signing secrets and channel secrets, read from SSM. The SSM client is built on the first read
 * of a secret the deployment configures: most invocations of the functions that carry it (a channel
 * that is off, a notification without one) never read any, and need not pay for the client.
 */
export const awsSecrets = (config: Config): Secrets => {
  const names: Record<SecretName, string> = {
    'slack-signing-secret': config.SLACK_SIGNING_SECRET_PARAM,
    'webhook-secret': config.WEBHOOK_SECRET_PARAM,
    'slack-webhook-url': config.SLACK_WEBHOOK_URL_PARAM,
    'notify-webhook-secret': config.NOTIFY_WEBHOOK_SECRET_PARAM,
  };
  const ssm = lazy(() => new SsmSecrets(createSsmClient(), names));
  return { get: async (name) => (names[name] ? ssm().get(name) : undefined) };
};
