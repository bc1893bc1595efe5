import { CreateAccountAliasCommand, IAMClient, ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { awsFix, formatAwsProblem } from '../../domain/aws-problem';
import { RoleNotReadyError } from '../../domain/errors';
import type { AccountSetup } from '../../ports';
import { awsErrorCode, errorMessage, errorName, mapUnlistedAwsError } from './errors';

export { createStsClient } from './role-probe';

/**
 * Works inside a new account through its organization access role. The role exists as soon as the
 * account does, but IAM takes a few seconds to let anyone assume it: AccessDenied then means "not yet".
 */
export class StsAccountSetup implements AccountSetup {
  constructor(
    private readonly sts: STSClient,
    private readonly partition = 'aws',
  ) {}

  async setAlias(accountId: string, roleName: string, alias: string): Promise<'set' | 'already' | 'taken'> {
    const iam = await this.iamIn(accountId, roleName);
    try {
      const existing = (await iam.send(new ListAccountAliasesCommand({}))).AccountAliases ?? [];
      if (existing.includes(alias)) return 'already';
      await iam.send(new CreateAccountAliasCommand({ AccountAlias: alias }));
      return 'set';
    } catch (error) {
      if (errorName(error) === 'EntityAlreadyExists' || errorName(error) === 'EntityAlreadyExistsException') return 'taken';
      throw mapUnlistedAwsError('CreateAccountAlias', error, { service: 'IAM' });
    } finally {
      iam.destroy();
    }
  }

  private async iamIn(accountId: string, roleName: string): Promise<IAMClient> {
    let credentials;
    try {
      const out = await this.sts.send(
        new AssumeRoleCommand({ RoleArn: `arn:${this.partition}:iam::${accountId}:role/${roleName}`, RoleSessionName: 'switchyard-configure', DurationSeconds: 900 }),
      );
      credentials = out.Credentials;
    } catch (error) {
      if (errorName(error) === 'AccessDenied' || errorName(error) === 'AccessDeniedException') {
        // What STS said goes along: once the retries are spent it is what the timeline shows.
        const code = awsErrorCode(error);
        throw new RoleNotReadyError(formatAwsProblem({ service: 'STS', code, message: errorMessage(error), fix: awsFix({ service: 'STS', operation: 'AssumeRole', roleName }, code) }), { cause: error });
      }
      throw mapUnlistedAwsError('AssumeRole', error, { service: 'STS', roleName });
    }
    return new IAMClient({
      region: 'us-east-1',
      maxAttempts: 3,
      credentials: { accessKeyId: credentials!.AccessKeyId!, secretAccessKey: credentials!.SecretAccessKey!, sessionToken: credentials!.SessionToken },
    });
  }
}
