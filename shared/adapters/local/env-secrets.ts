import type { SecretName, Secrets } from '../../ports';

const VARIABLES: Record<SecretName, string> = {
  'slack-signing-secret': 'SLACK_SIGNING_SECRET',
  'webhook-secret': 'WEBHOOK_SECRET',
  'slack-webhook-url': 'SLACK_WEBHOOK_URL',
  'notify-webhook-secret': 'NOTIFY_WEBHOOK_SECRET',
};

/** The local runtime reads secrets from SLACK_SIGNING_SECRET, WEBHOOK_SECRET, SLACK_WEBHOOK_URL and NOTIFY_WEBHOOK_SECRET. */
export class EnvSecrets implements Secrets {
  constructor(private readonly env: Record<string, string | undefined>) {}

  async get(name: SecretName): Promise<string | undefined> {
    return this.env[VARIABLES[name]] || undefined;
  }
}
