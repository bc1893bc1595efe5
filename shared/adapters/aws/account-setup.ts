import { CreateAccountAliasCommand, IAMClient, ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { awsFix, formatAwsProblem } from '../../domain/aws-problem';
import type { AccountColor } from '../../domain/colors';
import { RoleNotReadyError } from '../../domain/errors';
import type { AccountSetup } from '../../ports';
import sessionPolicy from './configure-account-session-policy.json';
import { awsErrorCode, errorMessage, errorName, mapUnlistedAwsError } from './errors';
import { resolveUxcEndpoint, updateAccountColor, type UxcCallOptions, type UxcCredentials } from './uxc-client';
import { mapUxcError } from './uxc-errors';

export { createStsClient } from './role-probe';

/**
 * Everything ConfigureAccount does inside a new account, and nothing else: the session it assumes
 * the organization access role with carries this policy, so whatever that role may do (it has
 * AdministratorAccess), the session may only read and set the account alias and set the account
 * colour. The actions for the colour are the three the Service Authorization Reference maps the
 * UpdateAccountCustomizations operation to (uxc:UpdateAccountCustomizations, uxc:PutAccountColor,
 * uxc:DeleteAccountColor; UXC has no resource types, so "*"); DeleteAccountColor lets the session do
 * nothing PutAccountColor does not (it may set `none`). Defined once, in the JSON file, which the
 * package check (tests/package/check-template.cjs) reads too.
 */
export const CONFIGURE_SESSION_POLICY = JSON.stringify(sessionPolicy);

/** How long an assumed session serves before another AssumeRole: well inside its 900 seconds. */
const SESSION_REUSE_MS = 600_000;

interface Session {
  credentials: UxcCredentials;
  reuseUntil: number;
}

/**
 * Works inside a new account through its organization access role. The role exists as soon as the
 * account does, but IAM takes a few seconds to let anyone assume it: AccessDenied then means "not yet".
 */
export class StsAccountSetup implements AccountSetup {
  /** One session per account and role, shared by the alias candidates and the colour of one ConfigureAccount. */
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly sts: STSClient,
    private readonly partition = 'aws',
    private readonly uxc: UxcCallOptions = {},
    private readonly now: () => number = Date.now,
  ) {}

  async setAlias(accountId: string, roleName: string, alias: string): Promise<'set' | 'already' | 'taken'> {
    const iam = new IAMClient({ region: 'us-east-1', maxAttempts: 3, credentials: await this.sessionIn(accountId, roleName) });
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

  async setAccountColor(accountId: string, roleName: string, color: AccountColor): Promise<void> {
    const credentials = await this.sessionIn(accountId, roleName);
    try {
      // The endpoint is read at each call, as the SDK reads AWS_ENDPOINT_URL_* when it builds a client.
      await updateAccountColor(credentials, color, { endpoint: resolveUxcEndpoint(process.env, this.partition), ...this.uxc });
    } catch (error) {
      throw mapUxcError(error, color);
    }
  }

  private async sessionIn(accountId: string, roleName: string): Promise<UxcCredentials> {
    const key = `${accountId}/${roleName}`;
    const now = this.now();
    const kept = this.sessions.get(key);
    if (kept && kept.reuseUntil > now) return kept.credentials;
    let out;
    try {
      out = await this.sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:${this.partition}:iam::${accountId}:role/${roleName}`,
          RoleSessionName: 'switchyard-configure',
          DurationSeconds: 900,
          Policy: CONFIGURE_SESSION_POLICY,
        }),
      );
    } catch (error) {
      if (errorName(error) === 'AccessDenied' || errorName(error) === 'AccessDeniedException') {
        // What STS said goes along: once the retries are spent it is what the timeline shows.
        const code = awsErrorCode(error);
        throw new RoleNotReadyError(formatAwsProblem({ service: 'STS', code, message: errorMessage(error), fix: awsFix({ service: 'STS', operation: 'AssumeRole', roleName }, code) }), { cause: error });
      }
      throw mapUnlistedAwsError('AssumeRole', error, { service: 'STS', roleName });
    }
    const credentials = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken };
    for (const [k, session] of this.sessions) if (session.reuseUntil <= now) this.sessions.delete(k);
    const expires = out.Credentials!.Expiration?.getTime() ?? now;
    this.sessions.set(key, { credentials, reuseUntil: Math.min(now + SESSION_REUSE_MS, expires - 60_000) });
    return credentials;
  }
}
