/** Signing secrets: SSM Parameter Store on AWS, environment variables in the local runtime. */
export interface Secrets {
  /** undefined when the secret is not configured. */
  get(name: 'slack-signing-secret' | 'webhook-secret'): Promise<string | undefined>;
}
