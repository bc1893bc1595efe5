import { AssumeRoleCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import type { RoleProbe } from '../../ports';
import { errorName, mapUnlistedAwsError } from './errors';

export function createStsClient(config: Partial<STSClientConfig> = {}): STSClient {
  return new STSClient({ retryMode: 'adaptive', maxAttempts: 5, ...config });
}

/** Tries the organization access role of a managed account; kept apart from IAM so a drift check bundles STS alone. */
export class StsRoleProbe implements RoleProbe {
  constructor(
    private readonly sts: STSClient,
    private readonly partition = 'aws',
  ) {}

  async roleProblem(accountId: string, roleName: string): Promise<string | undefined> {
    try {
      await this.sts.send(new AssumeRoleCommand({ RoleArn: `arn:${this.partition}:iam::${accountId}:role/${roleName}`, RoleSessionName: 'switchyard-drift', DurationSeconds: 900 }));
      return undefined;
    } catch (error) {
      const name = errorName(error);
      if (name === 'AccessDenied' || name === 'AccessDeniedException') return `AssumeRole on ${roleName} was denied`;
      throw mapUnlistedAwsError('AssumeRole', error, { service: 'STS', roleName });
    }
  }
}
