import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  MoveAccountCommand,
  TagResourceCommand,
  OrganizationsClient,
  paginateListAccountsForParent,
  paginateListCreateAccountStatus,
  paginateListOrganizationalUnitsForParent,
  paginateListParents,
  paginateListRoots,
  paginateListTagsForResource,
  type Account as SdkAccount,
  type CreateAccountStatus as SdkCreateAccountStatus,
  type OrganizationsClientConfig,
} from '@aws-sdk/client-organizations';
import { AccountQuotaExceededError, AwsRequestRejectedError, OuNotFoundError, RetryableAwsError } from '../../domain/errors';
import type { CreateAccountInput, CreateAccountState, CreateAccountStatus, OrgAccount, OrgUnit, Organization, ParentRef } from '../../ports';
import { errorName, mapUnlistedAwsError, rejectedError, retryableError } from './errors';

/** Organizations answers List* calls with at most 20 items a page, so ask for full pages. */
const PAGE_SIZE = 20;

/**
 * Organizations is a global service served from us-east-1, whatever region the caller runs in.
 * The SDK reads AWS_ENDPOINT_URL_ORGANIZATIONS / AWS_ENDPOINT_URL itself when no endpoint is given.
 */
export function createOrganizationsClient(config: Partial<OrganizationsClientConfig> = {}): OrganizationsClient {
  return new OrganizationsClient({ region: 'us-east-1', retryMode: 'adaptive', maxAttempts: 5, ...config });
}

/** Beyond the shared transient names: both settle by themselves within seconds. */
const ORGANIZATIONS_RETRYABLE = new Set(['ConcurrentModificationException', 'FinalizingOrganizationException']);
const ORGANIZATIONS_REJECTED = new Set(['AccessDeniedException', 'AWSOrganizationsNotInUseException', 'InvalidInputException']);

/** Names the service in the text a refusal reaches the requester with. */
const ORGANIZATIONS = { service: 'Organizations' };

export function mapOrganizationsError(operation: string, error: unknown): Error {
  const name = errorName(error);
  if (ORGANIZATIONS_RETRYABLE.has(name)) return retryableError(operation, error, ORGANIZATIONS);
  if (name === 'ConstraintViolationException') {
    const reason = (error as { Reason?: string }).Reason;
    if (reason === 'ACCOUNT_NUMBER_LIMIT_EXCEEDED') {
      return new AccountQuotaExceededError('The organization has reached its maximum number of accounts; close unused accounts or ask AWS Support to raise the quota.', { cause: error });
    }
    // Too many closings in progress at once: they end within minutes, so wait and ask again.
    if (reason === 'CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED') return retryableError(operation, error, { ...ORGANIZATIONS, detail: `reason ${reason}` });
    if (reason === 'ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED') {
      return new AccountQuotaExceededError('AWS Organizations refused another account today: the daily account-creation rate limit is reached. Try again tomorrow or ask AWS Support to raise it.', { cause: error });
    }
    return rejectedError(operation, error, { ...ORGANIZATIONS, ...(reason ? { detail: `reason ${reason}` } : {}) });
  }
  if (name === 'DestinationParentNotFoundException') return new OuNotFoundError(`The destination organizational unit for ${operation} does not exist.`, { cause: error });
  if (ORGANIZATIONS_REJECTED.has(name)) return rejectedError(operation, error, ORGANIZATIONS);
  return mapUnlistedAwsError(operation, error, ORGANIZATIONS);
}

function iso(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

function toCreateAccountStatus(operation: string, status: SdkCreateAccountStatus | undefined): CreateAccountStatus {
  if (!status?.Id || !status.State) {
    throw new AwsRequestRejectedError(`AWS answered ${operation} without a request id or state.`, 'IncompleteResponse');
  }
  return {
    id: status.Id,
    state: status.State,
    ...(status.AccountName !== undefined ? { accountName: status.AccountName } : {}),
    ...(status.AccountId !== undefined ? { accountId: status.AccountId } : {}),
    ...(status.FailureReason !== undefined ? { failureReason: status.FailureReason } : {}),
    ...(status.RequestedTimestamp !== undefined ? { requestedAt: iso(status.RequestedTimestamp) } : {}),
    ...(status.CompletedTimestamp !== undefined ? { completedAt: iso(status.CompletedTimestamp) } : {}),
  };
}

async function collect<P, T>(pages: AsyncIterable<P>, pick: (page: P) => T[] | undefined): Promise<T[]> {
  const items: T[] = [];
  for await (const page of pages) items.push(...(pick(page) ?? []));
  return items;
}

function toOrgAccount(a: SdkAccount): OrgAccount {
  return {
    id: a.Id ?? '',
    name: a.Name ?? '',
    email: a.Email ?? '',
    // `Status` is being retired in favour of `State`; older endpoints and emulators still send only `Status`.
    status: a.State ?? a.Status ?? 'UNKNOWN',
    ...(a.JoinedTimestamp !== undefined ? { joinedAt: iso(a.JoinedTimestamp) } : {}),
  };
}

export class AwsOrganization implements Organization {
  private calls = 0;

  constructor(private readonly client: OrganizationsClient) {
    // The deserialize step runs once per attempt (inside the retry loop): every request sent counts.
    client.middlewareStack.add(
      (next) => async (args) => {
        this.calls++;
        return next(args);
      },
      { step: 'deserialize', name: 'switchyardCallCounter', override: true },
    );
  }

  apiCalls(): number {
    return this.calls;
  }

  async createAccount(input: CreateAccountInput): Promise<CreateAccountStatus> {
    const tags = Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value }));
    const out = await this.call('CreateAccount', () =>
      this.client.send(
        new CreateAccountCommand({
          Email: input.email,
          AccountName: input.name,
          RoleName: input.roleName,
          IamUserAccessToBilling: 'ALLOW',
          // Sending Tags at all needs organizations:TagResource, so an untagged request leaves them out.
          ...(tags.length ? { Tags: tags } : {}),
        }),
      ),
    );
    return toCreateAccountStatus('CreateAccount', out.CreateAccountStatus);
  }

  async describeCreateAccountStatus(id: string): Promise<CreateAccountStatus> {
    const out = await this.call('DescribeCreateAccountStatus', () => this.client.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: id })));
    return toCreateAccountStatus('DescribeCreateAccountStatus', out.CreateAccountStatus);
  }

  async listCreateAccountStatus(states: CreateAccountState[]): Promise<CreateAccountStatus[]> {
    const statuses = await this.call('ListCreateAccountStatus', () =>
      collect(paginateListCreateAccountStatus({ client: this.client, pageSize: PAGE_SIZE }, { States: states }), (p) => p.CreateAccountStatuses),
    );
    return statuses.map((s) => toCreateAccountStatus('ListCreateAccountStatus', s));
  }

  async describeAccount(accountId: string): Promise<OrgAccount | undefined> {
    try {
      const out = await this.client.send(new DescribeAccountCommand({ AccountId: accountId }));
      return out.Account?.Id ? toOrgAccount(out.Account) : undefined;
    } catch (error) {
      if (errorName(error) === 'AccountNotFoundException') return undefined;
      throw mapOrganizationsError('DescribeAccount', error);
    }
  }

  async listAccountsForParent(parentId: string): Promise<OrgAccount[]> {
    const accounts = await this.call('ListAccountsForParent', () =>
      collect(paginateListAccountsForParent({ client: this.client, pageSize: PAGE_SIZE }, { ParentId: parentId }), (p) => p.Accounts),
    );
    return accounts.map(toOrgAccount);
  }

  async listTags(accountId: string): Promise<Record<string, string>> {
    const tags = await this.call('ListTagsForResource', () =>
      collect(paginateListTagsForResource({ client: this.client }, { ResourceId: accountId }), (p) => p.Tags),
    );
    return Object.fromEntries(tags.filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? '']));
  }

  async getRootId(): Promise<string> {
    const roots = await this.call('ListRoots', () => collect(paginateListRoots({ client: this.client, pageSize: PAGE_SIZE }, {}), (p) => p.Roots));
    const id = roots.find((r) => r.Id)?.Id;
    if (!id) throw new AwsRequestRejectedError('AWS Organizations listed no root for this organization.', 'NoRoot');
    return id;
  }

  async listChildOus(parentId: string): Promise<OrgUnit[]> {
    const ous = await this.call('ListOrganizationalUnitsForParent', () =>
      collect(paginateListOrganizationalUnitsForParent({ client: this.client, pageSize: PAGE_SIZE }, { ParentId: parentId }), (p) => p.OrganizationalUnits),
    );
    return ous.filter((ou) => ou.Id && ou.Name !== undefined).map((ou) => ({ id: ou.Id!, name: ou.Name! }));
  }

  async createOu(parentId: string, name: string): Promise<OrgUnit> {
    let created: OrgUnit | undefined;
    try {
      const out = await this.client.send(new CreateOrganizationalUnitCommand({ ParentId: parentId, Name: name }));
      if (out.OrganizationalUnit?.Id) created = { id: out.OrganizationalUnit.Id, name: out.OrganizationalUnit.Name ?? name };
    } catch (error) {
      if (errorName(error) !== 'DuplicateOrganizationalUnitException') throw mapOrganizationsError('CreateOrganizationalUnit', error);
    }
    if (created) return created;
    // Another request created it first (or AWS answered without the OU): converge on the listed one.
    const existing = (await this.listChildOus(parentId)).find((ou) => ou.name === name);
    if (!existing) {
      throw new RetryableAwsError(`An OU named "${name}" should exist under ${parentId} but is not listed yet.`, 'DuplicateOrganizationalUnitException');
    }
    return existing;
  }

  async describeOu(id: string): Promise<OrgUnit | undefined> {
    try {
      const out = await this.client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: id }));
      const ou = out.OrganizationalUnit;
      return ou?.Id ? { id: ou.Id, name: ou.Name ?? '' } : undefined;
    } catch (error) {
      const name = errorName(error);
      if (name === 'OrganizationalUnitNotFoundException' || name === 'ParentNotFoundException') return undefined;
      throw mapOrganizationsError('DescribeOrganizationalUnit', error);
    }
  }

  async listParents(childId: string): Promise<ParentRef[]> {
    const parents = await this.call('ListParents', () => collect(paginateListParents({ client: this.client, pageSize: PAGE_SIZE }, { ChildId: childId }), (p) => p.Parents));
    return parents.filter((p) => p.Id && p.Type).map((p) => ({ id: p.Id!, type: p.Type! }));
  }

  async managementAccountId(): Promise<string> {
    const out = await this.call('DescribeOrganization', () => this.client.send(new DescribeOrganizationCommand({})));
    const id = out.Organization?.MasterAccountId;
    if (!id) throw new AwsRequestRejectedError('AWS Organizations described no management account.', 'NoOrganization');
    return id;
  }

  async closeAccount(accountId: string): Promise<'requested' | 'already-closed' | 'quota-exceeded'> {
    try {
      await this.client.send(new CloseAccountCommand({ AccountId: accountId }));
      return 'requested';
    } catch (error) {
      if (errorName(error) === 'AccountAlreadyClosedException') return 'already-closed';
      // AWS's rolling closing quota is used up: the closing waits, it never fails for this.
      if (errorName(error) === 'ConstraintViolationException' && (error as { Reason?: string }).Reason === 'CLOSE_ACCOUNT_QUOTA_EXCEEDED') return 'quota-exceeded';
      throw mapOrganizationsError('CloseAccount', error);
    }
  }

  async describeOrganizationId(): Promise<string> {
    const out = await this.call('DescribeOrganization', () => this.client.send(new DescribeOrganizationCommand({})));
    const id = out.Organization?.Id;
    if (!id) throw new AwsRequestRejectedError('AWS Organizations described no organization.', 'NoOrganization');
    return id;
  }

  async tagAccount(accountId: string, tags: Record<string, string>): Promise<void> {
    const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    if (!Tags.length) return;
    await this.call('TagResource', () => this.client.send(new TagResourceCommand({ ResourceId: accountId, Tags })));
  }

  async moveAccount(accountId: string, sourceParentId: string, destinationParentId: string): Promise<void> {
    try {
      await this.client.send(new MoveAccountCommand({ AccountId: accountId, SourceParentId: sourceParentId, DestinationParentId: destinationParentId }));
    } catch (error) {
      // Already in the destination: a re-run of the step, or someone placed it by hand.
      if (errorName(error) === 'DuplicateAccountException') return;
      throw mapOrganizationsError('MoveAccount', error);
    }
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw mapOrganizationsError(operation, error);
    }
  }
}
