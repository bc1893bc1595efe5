import {
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListPolicyVersionsCommand,
  type IAMClientConfig,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { GrantPolicy } from '../../domain/access-policy';
import { IAM_LIMITS } from '../../domain/access-policy';
import type { AccessGrants, AdminPrincipal } from '../../ports';
import { errorName, mapUnlistedAwsError, retryableError } from './errors';

export function createIamClient(config: Partial<IAMClientConfig> = {}): IAMClient {
  // IAM is global, served from us-east-1.
  return new IAMClient({ region: 'us-east-1', retryMode: 'adaptive', maxAttempts: 5, ...config });
}

/** Switchyard's grant policies live under this path, so its role may touch them and nothing else. */
export const POLICY_PATH = '/switchyard/';

function mapIamError(operation: string, error: unknown): Error {
  // Another step updated the same policy at the same moment: re-run and converge.
  if (['ConcurrentModification', 'ConcurrentModificationException', 'LimitExceeded', 'LimitExceededException'].includes(errorName(error))) {
    return retryableError(operation, error);
  }
  return mapUnlistedAwsError(operation, error);
}

/**
 * Keeps the admin's grant policies equal to the rendered documents: creates a missing one, adds a
 * version when the document changed (dropping the oldest non-default version at IAM's limit of
 * five), and attaches each to the admin principal (attaching twice is a no-op at IAM).
 */
export class IamAccessGrants implements AccessGrants {
  private accountId?: string;

  constructor(
    private readonly iam: IAMClient,
    private readonly sts: STSClient,
  ) {}

  async apply(principal: AdminPrincipal, policies: GrantPolicy[]): Promise<{ changed: string[] }> {
    const account = await this.managementAccountId();
    const changed: string[] = [];
    for (const policy of policies) {
      const arn = `arn:aws:iam::${account}:policy${POLICY_PATH}${policy.name}`;
      if (await this.converge(arn, policy)) changed.push(policy.name);
      await this.send('AttachPolicy', () =>
        principal.type === 'group'
          ? this.iam.send(new AttachGroupPolicyCommand({ GroupName: principal.name, PolicyArn: arn }))
          : this.iam.send(new AttachUserPolicyCommand({ UserName: principal.name, PolicyArn: arn })),
      );
    }
    return { changed };
  }

  private async converge(arn: string, policy: GrantPolicy): Promise<boolean> {
    let defaultVersion: string | undefined;
    try {
      defaultVersion = (await this.iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId;
    } catch (error) {
      if (errorName(error) !== 'NoSuchEntity' && errorName(error) !== 'NoSuchEntityException') throw mapIamError('GetPolicy', error);
    }
    if (!defaultVersion) {
      await this.send('CreatePolicy', () =>
        this.iam.send(new CreatePolicyCommand({ PolicyName: policy.name, Path: POLICY_PATH, PolicyDocument: policy.document, Description: 'Switchyard: the admin may switch into Switchyard accounts' })),
      );
      return true;
    }
    const current = await this.send('GetPolicyVersion', () => this.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: defaultVersion })));
    // IAM returns the document URL-encoded.
    const document = decodeURIComponent(current.PolicyVersion?.Document ?? '');
    if (sameDocument(document, policy.document)) return false;
    const versions = (await this.send('ListPolicyVersions', () => this.iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn })))).Versions ?? [];
    if (versions.length >= IAM_LIMITS.policyVersions) {
      const oldest = versions
        .filter((v) => !v.IsDefaultVersion && v.VersionId)
        .sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0))[0];
      if (oldest) await this.send('DeletePolicyVersion', () => this.iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: oldest.VersionId })));
    }
    await this.send('CreatePolicyVersion', () => this.iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policy.document, SetAsDefault: true })));
    return true;
  }

  private async managementAccountId(): Promise<string> {
    if (!this.accountId) {
      const out = await this.send('GetCallerIdentity', () => this.sts.send(new GetCallerIdentityCommand({})));
      this.accountId = out.Account!;
    }
    return this.accountId;
  }

  private async send<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw mapIamError(operation, error);
    }
  }
}

function sameDocument(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}
