import type {
  CreateAccountFailureReason,
  CreateAccountRequest,
  CreateAccountResponse,
  CreateAccountState,
  CreateAccountStatus,
  DescribeCreateAccountStatusRequest,
  DescribeCreateAccountStatusResponse,
  ListCreateAccountStatusRequest,
  ListCreateAccountStatusResponse,
} from '@aws-sdk/client-organizations';
import { emailProblem } from '../../../domain/email';
import type { FaultKind, SimulatedFaults } from '../sim-faults';
import { accountView, type SimulatedAccountView } from './accounts';
import { logNormal } from './draws';
import { checkLength, invalid, requiredArray, requiredString, SimulatedAwsError } from './errors';
import { accountNumber, alnum, uniqueId } from './ids';
import { existingOuPath } from './ous';
import { page } from './pagination';
import type { AccountRecord, CreateRequestRecord, OrgState } from './state';
import { newResourceTags } from './tags';

/**
 * How accounts come to be: CreateAccount starts a request that stays IN_PROGRESS for about
 * `createSeconds` (drawn once, see creationMs), at most `maxConcurrentCreates` at once; settleCreations later ends each one
 * SUCCEEDED (a new account in the root) or FAILED (email taken, quota reached, or an injected
 * failure). An account made by hand in the console exists at once, with a request that succeeded.
 */

const CREATE_STATES: readonly CreateAccountState[] = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED'];

export function inProgress(s: OrgState): number {
  return s.createRequests.filter((r) => r.state === 'IN_PROGRESS').length;
}

export function settlementDue(s: OrgState, now: Date): boolean {
  const time = now.getTime();
  return s.createRequests.some((r) => r.state === 'IN_PROGRESS' && !r.stuck && Date.parse(r.completesAt) <= time);
}

/** Finishes every creation whose time has come, in the order they come due; true when any did. */
export function settleCreations(s: OrgState, now: Date): boolean {
  const time = now.getTime();
  const due = s.createRequests
    .filter((r) => r.state === 'IN_PROGRESS' && !r.stuck && Date.parse(r.completesAt) <= time)
    .sort((a, b) => Date.parse(a.completesAt) - Date.parse(b.completesAt) || a.seq - b.seq);
  for (const request of due) {
    const email = request.email.toLowerCase();
    if (request.failWith) {
      request.state = 'FAILED';
      request.failureReason = request.failWith;
    } else if (s.accounts.some((a) => a.email.toLowerCase() === email)) {
      request.state = 'FAILED';
      request.failureReason = 'EMAIL_ALREADY_EXISTS';
    } else if (s.accounts.length >= s.settings.accountQuota) {
      request.state = 'FAILED';
      request.failureReason = 'ACCOUNT_LIMIT_EXCEEDED';
    } else {
      const id = uniqueId(accountNumber, (candidate) => s.accounts.some((a) => a.id === candidate));
      s.accounts.push({
        seq: s.nextSeq++,
        id,
        name: request.accountName,
        email: request.email,
        status: 'ACTIVE',
        joinedMethod: 'CREATED',
        joinedAt: request.completesAt,
        parentId: s.rootId,
        tags: { ...request.tags },
      });
      request.state = 'SUCCEEDED';
      request.accountId = id;
    }
    request.completedAt = request.completesAt;
  }
  return due.length > 0;
}

function checkAccountName(name: string): void {
  checkLength(name, 'AccountName', 1, 50);
  if (!/^[\x20-\x7E]+$/.test(name)) throw invalid('INVALID_PATTERN', 'AccountName may contain only printable ASCII characters.');
}

function checkEmail(email: string): void {
  checkLength(email, 'Email', 6, 64);
  const problem = emailProblem(email);
  if (problem) throw invalid('INVALID_PATTERN', `Email ${problem}.`);
}

function newRequestId(s: OrgState): string {
  return uniqueId(() => `car-${alnum(32)}`, (id) => s.createRequests.some((r) => r.id === id));
}

function createStatus(r: CreateRequestRecord): CreateAccountStatus {
  return {
    Id: r.id,
    AccountName: r.accountName,
    State: r.state,
    RequestedTimestamp: new Date(r.requestedAt),
    CompletedTimestamp: r.completedAt ? new Date(r.completedAt) : undefined,
    AccountId: r.accountId,
    FailureReason: r.failureReason as CreateAccountFailureReason | undefined,
  };
}

/**
 * How long one creation takes, in milliseconds: log-normal around `createSeconds` with sigma
 * `createSpread` (AWS creations usually take one to a few minutes, a few take much longer), or
 * exactly `createSeconds` when the spread is 0. Drawn once, when the request is made, and kept in
 * its `completesAt`, so a restart does not draw again; the draws come from the organization's
 * `random`, so a seeded one repeats them.
 */
export function creationMs(s: OrgState, random: () => number): number {
  return logNormal(s.settings.createSeconds * 1000, s.settings.createSpread ?? 0, random);
}

// ---- AWS operations ---------------------------------------------------------------------------

/** Also says which faults it injected into the new request (`faults` names the accounts they hit), for the stats. */
export function createAccount(
  s: OrgState,
  input: CreateAccountRequest,
  now: Date,
  faults: SimulatedFaults,
  random: () => number,
): { response: CreateAccountResponse; injected: FaultKind[] } {
  const accountName = requiredString(input.AccountName, 'AccountName');
  checkAccountName(accountName);
  const email = requiredString(input.Email, 'Email');
  checkEmail(email);
  if (input.RoleName !== undefined) {
    const roleName = requiredString(input.RoleName, 'RoleName');
    if (!/^[\w+=,.@-]{1,64}$/.test(roleName)) throw invalid('INVALID_ROLE_NAME', 'RoleName must be 1 to 64 of the characters [\\w+=,.@-].');
  }
  if (input.IamUserAccessToBilling !== undefined && input.IamUserAccessToBilling !== 'ALLOW' && input.IamUserAccessToBilling !== 'DENY') {
    throw invalid('INVALID_ENUM', 'IamUserAccessToBilling must be ALLOW or DENY.');
  }
  const tags = newResourceTags(input.Tags);

  const running = inProgress(s);
  if (running >= s.settings.maxConcurrentCreates) {
    throw new SimulatedAwsError(
      'TooManyRequestsException',
      `Too many account creations in progress (${running} of at most ${s.settings.maxConcurrentCreates}); wait for one to finish and try again.`,
    );
  }
  const request: CreateRequestRecord = {
    seq: s.nextSeq++,
    id: newRequestId(s),
    accountName,
    email,
    tags,
    requestedAt: now.toISOString(),
    completesAt: new Date(now.getTime() + creationMs(s, random)).toISOString(),
    state: 'IN_PROGRESS',
  };
  const injected: FaultKind[] = [];
  const injectedFailure = faults.fail[accountName.toLowerCase()];
  if (injectedFailure) {
    request.failWith = injectedFailure;
    injected.push('fail');
  }
  if (faults.stuck.includes(accountName.toLowerCase())) {
    request.stuck = true;
    injected.push('stuck');
  }
  s.createRequests.push(request);
  s.stats.maxConcurrentCreates = Math.max(s.stats.maxConcurrentCreates, running + 1);
  return { response: { CreateAccountStatus: createStatus(request) }, injected };
}

export function describeCreateAccountStatus(s: OrgState, input: DescribeCreateAccountStatusRequest): DescribeCreateAccountStatusResponse {
  const id = requiredString(input.CreateAccountRequestId, 'CreateAccountRequestId');
  const request = s.createRequests.find((r) => r.id === id);
  if (!request) {
    throw new SimulatedAwsError('CreateAccountStatusNotFoundException', `We can't find a create account request with the ID ${id}.`);
  }
  return { CreateAccountStatus: createStatus(request) };
}

export function listCreateAccountStatus(s: OrgState, input: ListCreateAccountStatusRequest): ListCreateAccountStatusResponse {
  const states = input.States === undefined ? [] : requiredArray(input.States, 'States');
  for (const state of states) {
    if (!CREATE_STATES.includes(state)) throw invalid('INVALID_ENUM', `States may contain only ${CREATE_STATES.join(', ')}.`);
  }
  const wanted = [...new Set(states)].sort();
  const matching = s.createRequests.filter((r) => wanted.length === 0 || wanted.includes(r.state));
  const result = page(s, 'ListCreateAccountStatus', wanted.join(','), matching, (r) => r.seq, input);
  return { CreateAccountStatuses: result.items.map(createStatus), NextToken: result.nextToken };
}

// ---- By hand, in the console ------------------------------------------------------------------

/** AWS's rules for the name and email of an account made by hand, checked before anything else. */
export function checkAccountByHand(name: string, email: string): void {
  checkAccountName(name);
  checkEmail(email);
}

/**
 * An account created in the console rather than by Switchyard: it exists at once, in `ouPath`,
 * with no tags. AWS's own rules still apply (name and email, checked with checkAccountByHand first;
 * unique email; the account quota), and it appears in the creation history as a request that
 * succeeded, as a console creation does.
 */
export function createAccountByHand(s: OrgState, name: string, email: string, ouPath: string, now: Date): SimulatedAccountView {
  const parentId = existingOuPath(s, ouPath);
  const lower = email.toLowerCase();
  if (s.accounts.some((a) => a.email.toLowerCase() === lower)) {
    throw new SimulatedAwsError('ConstraintViolationException', `An account with the email ${email} already exists.`, { Reason: 'EMAIL_ALREADY_EXISTS' });
  }
  if (s.accounts.length >= s.settings.accountQuota) {
    throw new SimulatedAwsError('ConstraintViolationException', `The organization already holds its quota of ${s.settings.accountQuota} accounts.`, {
      Reason: 'ACCOUNT_NUMBER_LIMIT_EXCEEDED',
    });
  }
  const joinedAt = now.toISOString();
  const record: AccountRecord = {
    seq: s.nextSeq++,
    id: uniqueId(accountNumber, (candidate) => s.accounts.some((a) => a.id === candidate)),
    name,
    email,
    status: 'ACTIVE',
    joinedMethod: 'CREATED',
    joinedAt,
    parentId,
    tags: {},
  };
  s.accounts.push(record);
  s.createRequests.push({
    seq: s.nextSeq++,
    id: newRequestId(s),
    accountName: name,
    email,
    tags: {},
    requestedAt: joinedAt,
    completesAt: joinedAt,
    completedAt: joinedAt,
    state: 'SUCCEEDED',
    accountId: record.id,
  });
  return accountView(s, record);
}
