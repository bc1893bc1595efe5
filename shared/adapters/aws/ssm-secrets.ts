import { GetParameterCommand, SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';
import type { SecretName, Secrets } from '../../ports';
import { errorName, mapUnlistedAwsError } from './errors';

export function createSsmClient(config: Partial<SSMClientConfig> = {}): SSMClient {
  return new SSMClient({ retryMode: 'adaptive', maxAttempts: 3, ...config });
}

/** How long a fetched secret is reused: rotation takes effect within this, without a call per request. */
const TTL_MS = 5 * 60 * 1000;

/**
 * Reads signing secrets from SSM Parameter Store (SecureString, decrypted) by the parameter names the
 * deployment configures. The values never pass through environment variables or the template.
 */
export class SsmSecrets implements Secrets {
  private readonly cache = new Map<string, { value: string | undefined; until: number }>();

  constructor(
    private readonly client: SSMClient,
    private readonly parameterNames: Partial<Record<SecretName, string>>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(name: SecretName): Promise<string | undefined> {
    const parameter = this.parameterNames[name];
    if (!parameter) return undefined;
    const cached = this.cache.get(parameter);
    if (cached && cached.until > this.now()) return cached.value;
    let value: string | undefined;
    try {
      const out = await this.client.send(new GetParameterCommand({ Name: parameter, WithDecryption: true }));
      value = out.Parameter?.Value || undefined;
    } catch (error) {
      if (errorName(error) !== 'ParameterNotFound') throw mapUnlistedAwsError('GetParameter', error, { service: 'SSM' });
    }
    this.cache.set(parameter, { value, until: this.now() + TTL_MS });
    return value;
  }
}
