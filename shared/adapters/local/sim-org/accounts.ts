import type {
  Account,
  DescribeAccountRequest,
  DescribeAccountResponse,
  ListAccountsForParentRequest,
  ListAccountsForParentResponse,
  ListAccountsRequest,
  ListAccountsResponse,
  MoveAccountRequest,
} from '@aws-sdk/client-organizations';
import { requiredString, SimulatedAwsError } from './errors';
import { arn } from './ids';
import { displayPath, existingOuPath, existingParent, isParent, pathOf } from './ous';
import { page } from './pagination';
import type { AccountRecord, OrgState, SimAccountStatus } from './state';

/**
 * Accounts once they are in the organization: AWS's list, describe and move operations, and what a
 * person does to accounts by hand (move, remove). How accounts come to be is in creation.ts, how
 * they are closed in closing.ts.
 */

export interface SimulatedAccountView {
  id: string;
  name: string;
  email: string;
  status: SimAccountStatus;
  /** OU path below the root, e.g. `Workloads/Staging`; '' for the root. */
  ou: string;
  /** The IAM account alias, once set. */
  alias?: string;
  /** The console colour of the whole account (UpdateAccountCustomizations), once set to one. */
  accountColor?: string;
  /** When the account was closed (CloseAccount accepted); it leaves the organization 90 days later. */
  closedAt?: string;
  /** While PENDING_CLOSURE: when it will be SUSPENDED. */
  suspendsAt?: string;
}

export function existingAccount(s: OrgState, id: string): AccountRecord {
  const found = s.accounts.find((a) => a.id === id);
  if (!found) throw new SimulatedAwsError('AccountNotFoundException', `We can't find an account with the ID ${id}.`);
  return found;
}

function account(s: OrgState, a: AccountRecord): Account {
  return {
    Id: a.id,
    Arn: arn(s, `account/${s.organizationId}/${a.id}`),
    Email: a.email,
    Name: a.name,
    Status: a.status,
    State: a.status,
    JoinedMethod: a.joinedMethod,
    JoinedTimestamp: new Date(a.joinedAt),
  };
}

export function accountView(s: OrgState, a: AccountRecord): SimulatedAccountView {
  return {
    id: a.id,
    name: a.name,
    email: a.email,
    status: a.status,
    ou: pathOf(s, a.parentId),
    ...(s.iam?.aliases[a.id] ? { alias: s.iam.aliases[a.id] } : {}),
    ...(s.uxc?.accountColors[a.id] ? { accountColor: s.uxc.accountColors[a.id] } : {}),
    ...(a.closedAt ? { closedAt: a.closedAt } : {}),
    ...(a.status === 'PENDING_CLOSURE' && a.suspendsAt ? { suspendsAt: a.suspendsAt } : {}),
  };
}

function sourceParentNotFound(): SimulatedAwsError {
  return new SimulatedAwsError('SourceParentNotFoundException', "We can't find a source root or OU with the ParentId that you specified, or the account is not in it.");
}

// ---- AWS operations ---------------------------------------------------------------------------

export function listAccounts(s: OrgState, input: ListAccountsRequest): ListAccountsResponse {
  const result = page(s, 'ListAccounts', '', s.accounts, (a) => a.seq, input);
  return { Accounts: result.items.map((a) => account(s, a)), NextToken: result.nextToken };
}

export function listAccountsForParent(s: OrgState, input: ListAccountsForParentRequest): ListAccountsForParentResponse {
  const parentId = existingParent(s, requiredString(input.ParentId, 'ParentId'));
  const inParent = s.accounts.filter((a) => a.parentId === parentId);
  const result = page(s, 'ListAccountsForParent', parentId, inParent, (a) => a.seq, input);
  return { Accounts: result.items.map((a) => account(s, a)), NextToken: result.nextToken };
}

export function describeAccount(s: OrgState, input: DescribeAccountRequest): DescribeAccountResponse {
  return { Account: account(s, existingAccount(s, requiredString(input.AccountId, 'AccountId'))) };
}

export function moveAccount(s: OrgState, input: MoveAccountRequest): Record<string, never> {
  const record = existingAccount(s, requiredString(input.AccountId, 'AccountId'));
  const source = requiredString(input.SourceParentId, 'SourceParentId');
  const destination = requiredString(input.DestinationParentId, 'DestinationParentId');
  if (!isParent(s, source)) throw sourceParentNotFound();
  if (!isParent(s, destination)) {
    throw new SimulatedAwsError('DestinationParentNotFoundException', "We can't find the destination container (a root or OU) with the ParentId that you specified.");
  }
  // Checked before the source so that a retried move which already happened reads as "already there".
  if (record.parentId === destination) {
    throw new SimulatedAwsError('DuplicateAccountException', 'That account is already present in the specified destination.');
  }
  if (record.parentId !== source) throw sourceParentNotFound();
  record.parentId = destination;
  return {};
}

// ---- By hand, in the console ------------------------------------------------------------------

/** Moves an account into the OU at `ouPath` ('' or '/' for the root), which must exist. */
export function moveAccountTo(s: OrgState, accountId: string, ouPath: string): { account: SimulatedAccountView; from: string } {
  const record = existingAccount(s, accountId);
  const destination = existingOuPath(s, ouPath);
  if (record.parentId === destination) {
    throw new SimulatedAwsError('DuplicateAccountException', `Account ${accountId} is already in ${displayPath(pathOf(s, destination))}.`);
  }
  const from = pathOf(s, record.parentId);
  record.parentId = destination;
  return { account: accountView(s, record), from };
}

/** The account leaves the organization (RemoveAccountFromOrganization, or a closed account's 90 days passing). */
export function removeAccount(s: OrgState, accountId: string): SimulatedAccountView {
  const record = existingAccount(s, accountId);
  if (record.id === s.managementAccountId) throw new SimulatedAwsError('ConstraintViolationException', `Account ${accountId} is the management account; it cannot leave.`);
  const view = accountView(s, record);
  s.accounts = s.accounts.filter((a) => a.id !== accountId);
  return view;
}
