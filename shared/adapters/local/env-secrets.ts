import type { Secrets } from '../../ports';

const VARIABLES = { 'slack-signing-secret': 'SLACK_SIGNING_SECRET', 'webhook-secret': 'WEBHOOK_SECRET' } as const;

/** The local runtime reads signing secrets from SLACK_SIGNING_SECRET and WEBHOOK_SECRET. */
export class EnvSecrets implements Secrets {
  constructor(private readonly env: Record<string, string | undefined>) {}

  async get(name: keyof typeof VARIABLES): Promise<string | undefined> {
    return this.env[VARIABLES[name]] || undefined;
  }
}
