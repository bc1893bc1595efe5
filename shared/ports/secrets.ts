/**
 * Signing secrets, and URLs that work as bearer capabilities (a Slack incoming webhook): SSM
 * Parameter Store on AWS, environment variables in the local runtime.
 */
export type SecretName = 'slack-signing-secret' | 'webhook-secret' | 'slack-webhook-url' | 'notify-webhook-secret';

export interface Secrets {
  /** undefined when the secret is not configured. */
  get(name: SecretName): Promise<string | undefined>;
}
