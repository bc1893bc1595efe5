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
import { awsErrorCode, mapUnlistedAwsError, retryableError, type CallContext } from './errors';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createIamClient(config: Partial<IAMClientConfig> = {}): IAMClient {
  // IAM is global, served from us-east-1.
  return new IAMClient({ region: 'us-east-1', retryMode: 'adaptive', maxAttempts: 5, ...config });
}

/** Switchyard's grant policies live under this path, so its role may touch them and nothing else. */
export const POLICY_PATH = '/switchyard/';

/** IAM's answers that mean another writer of the same policy got there first: read again, never fail over them. */
const RACES: Record<string, ReadonlySet<string>> = {
  // Created by another writer since GetPolicy said it was missing.
  CreatePolicy: new Set(['EntityAlreadyExists']),
  // The default version changed since GetPolicy, and the one read is gone (or the policy is).
  GetPolicyVersion: new Set(['NoSuchEntity']),
  // Deleted by another writer making room too (NoSuchEntity), or made the default meanwhile.
  DeletePolicyVersion: new Set(['NoSuchEntity', 'DeleteConflict', 'ConcurrentModification']),
  // Another writer took the room made for this version (LimitExceeded), wrote at the same moment, or
  // the policy went away since GetPolicy (the next round creates it).
  CreatePolicyVersion: new Set(['LimitExceeded', 'ConcurrentModification', 'NoSuchEntity']),
};

function isRace(operation: string, error: unknown): boolean {
  // LimitExceeded also names a document over IAM's size quota, which no rereading fixes.
  return RACES[operation]?.has(iamCode(error)) === true && !/PolicySize/.test(String((error as Error)?.message));
}

/** IAM's code for the error (`NoSuchEntity`), also for an exception that lost the Query protocol's `Code`. */
function iamCode(error: unknown): string {
  return awsErrorCode(error).replace(/Exception$/, '');
}

function mapIamError(operation: string, error: unknown, context: CallContext): Error {
  // A concurrent change at IAM settles by itself: the state machine retries the step.
  if (iamCode(error) === 'ConcurrentModification') return retryableError(operation, error, context);
  return mapUnlistedAwsError(operation, error, context);
}

const IAM: CallContext = { service: 'IAM' };

/** Internal to this adapter: never leaves it (converge answers it or turns it into RetryableAwsError). */
class RaceError extends Error {
  constructor(
    readonly operation: string,
    readonly error: unknown,
  ) {
    super(`${operation} raced another writer`, { cause: error });
    this.name = 'RaceError';
  }
}

/** Rounds per policy before the step gives up for now (the state machine then retries it). */
const MAX_ROUNDS = 8;
const RACE_BACKOFF_MS = 40;

/**
 * Keeps the admin's grant policies equal to the rendered documents: creates a missing one, adds a
 * version when the document changed (deleting the oldest non-default version first at IAM's limit
 * of five), and attaches each to the admin principal (attaching twice is a no-op at IAM).
 *
 * Several grants may write the same policy at once. Each race IAM reports — the policy created
 * meanwhile (EntityAlreadyExists), a version deleted or made default meanwhile, the five-version
 * limit reached again meanwhile (LimitExceeded) — sends this writer back to reading the policy as
 * it now is, a bounded number of times; whose document wins is the caller's concern (grantAccessStep
 * re-renders from the registry until a round changes nothing).
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
      // The fix for a missing principal or a full one names it (and the setting that chose it).
      const about = { ...IAM, principal };
      if (principal.type === 'group') await this.send('AttachGroupPolicy', () => this.iam.send(new AttachGroupPolicyCommand({ GroupName: principal.name, PolicyArn: arn })), about);
      else await this.send('AttachUserPolicy', () => this.iam.send(new AttachUserPolicyCommand({ UserName: principal.name, PolicyArn: arn })), about);
    }
    return { changed };
  }

  /** true when this call wrote the document, false when IAM already held it. */
  private async converge(arn: string, policy: GrantPolicy): Promise<boolean> {
    for (let round = 1; ; round++) {
      try {
        return await this.write(arn, policy);
      } catch (error) {
        if (!(error instanceof RaceError)) throw error;
        if (round >= MAX_ROUNDS) throw retryableError(error.operation, error.error, IAM);
        // Full jitter, so writers that collided do not collide again in step.
        await sleep(Math.random() * RACE_BACKOFF_MS * round);
      }
    }
  }

  private async write(arn: string, policy: GrantPolicy): Promise<boolean> {
    const defaultVersion = await this.defaultVersion(arn);
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
        // Versions made within the same second carry the same date; their numbers still say which came first.
        .sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0) || versionNumber(a.VersionId) - versionNumber(b.VersionId))[0];
      if (oldest) {
        try {
          await this.send('DeletePolicyVersion', () => this.iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: oldest.VersionId })));
        } catch (error) {
          // Another writer deleted it already: the room it made is there for whoever takes it first.
          if (!(error instanceof RaceError && iamCode(error.error) === 'NoSuchEntity')) throw error;
        }
      }
    }
    await this.send('CreatePolicyVersion', () => this.iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policy.document, SetAsDefault: true })));
    return true;
  }

  /** The policy's default version, or undefined when there is no such policy. */
  private async defaultVersion(arn: string): Promise<string | undefined> {
    try {
      return (await this.iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId;
    } catch (error) {
      if (iamCode(error) === 'NoSuchEntity') return undefined;
      throw mapIamError('GetPolicy', error, IAM);
    }
  }

  private async managementAccountId(): Promise<string> {
    if (!this.accountId) {
      const out = await this.send('GetCallerIdentity', () => this.sts.send(new GetCallerIdentityCommand({})), { service: 'STS' });
      this.accountId = out.Account!;
    }
    return this.accountId;
  }

  private async send<T>(operation: string, run: () => Promise<T>, context: CallContext = IAM): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isRace(operation, error)) throw new RaceError(operation, error);
      throw mapIamError(operation, error, context);
    }
  }
}

/** `v12` → 12. */
function versionNumber(id: string | undefined): number {
  return Number(/^v(\d+)/.exec(id ?? '')?.[1] ?? 0);
}

function sameDocument(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}
