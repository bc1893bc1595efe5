import type { OrgSnapshot } from '../domain/drift';
import type { IndexedAccount, OrganizationSnapshotForIndex } from '../ports';
import type { Deps } from './deps';
import { wakeCreation } from './provision-steps';

/**
 * Keeping the organization index (shared/ports/organization-index.ts) in step with the organization:
 * whole from a drift walk, and one change at a time from the organization's CloudTrail events.
 */

export type IndexDeps = Pick<Deps, 'organization' | 'organizationIndex' | 'clock'>;

/** A walk's accounts and OUs, as the index keeps them. */
export function indexSnapshot(tree: Pick<OrgSnapshot, 'accounts' | 'ous'>): OrganizationSnapshotForIndex {
  return {
    accounts: [...tree.accounts.values()].map((a) => ({ id: a.id, name: a.name, email: a.email, status: a.status, parentId: a.parentId })),
    ous: [...tree.ous.values()].map((o) => ({ path: o.path, id: o.id })),
  };
}

/** The CloudTrail records of AWS Organizations that change what the index holds. */
export const INDEXED_EVENT_NAMES = [
  'CreateAccountResult',
  'MoveAccount',
  'CloseAccount',
  'CloseAccountResult',
  'RemoveAccountFromOrganization',
  'AccountDepartedOrganization',
  'CreateOrganizationalUnit',
  'UpdateOrganizationalUnit',
  'DeleteOrganizationalUnit',
] as const;

/** What became of one event: the change made, or why there was none. */
export interface IndexChange {
  eventName: string;
  change: 'recorded' | 'updated' | 'forgotten' | 'ou-recorded' | 'ou-forgotten' | 'ignored';
  id?: string;
  reason?: string;
}

type Json = Record<string, unknown>;

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!current || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Json)[key];
  }
  return current;
}

function text(value: unknown, ...path: string[]): string | undefined {
  const found = field(value, ...path);
  return typeof found === 'string' && found.length > 0 ? found : undefined;
}

const ACCOUNT_ID = /^\d{12}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const PARENT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

/**
 * One event of the organization as EventBridge delivers CloudTrail's record of it (`aws.organizations`,
 * "AWS API Call via CloudTrail" or "AWS Service Event via CloudTrail"), applied to the index. Calls
 * that failed, events of other kinds and malformed ones change nothing. At most one Organizations
 * call per event (DescribeAccount, for the email a CreateAccountResult does not carry).
 */
/** AWS's form of a CreateAccount request id. */
const CREATE_REQUEST_ID = /^car-[a-z0-9]{8,32}$/;

/**
 * A CreateAccountResult (success or failure) wakes the provisioning workflow waiting for that creation,
 * if Switchyard started it: the workflow then reads the status itself, so the event is a hint, never
 * trusted for the account. Other events, and malformed ones, wake nothing.
 */
export async function wakeOnCreationResult(deps: Pick<Deps, 'creationWakes' | 'workflow'>, event: unknown): Promise<'woken' | 'recorded' | 'ignored' | 'gone'> {
  const detail = field(event, 'detail');
  if (text(event, 'source') !== 'aws.organizations' || text(detail, 'eventName') !== 'CreateAccountResult') return 'ignored';
  const status = field(detail, 'serviceEventDetails', 'createAccountStatus');
  const requestId = text(status, 'id');
  const state = text(status, 'state');
  const accountId = text(status, 'accountId');
  if (!requestId || !CREATE_REQUEST_ID.test(requestId) || (state !== 'SUCCEEDED' && state !== 'FAILED')) return 'ignored';
  return wakeCreation(deps, requestId, { state, ...(accountId && ACCOUNT_ID.test(accountId) ? { accountId } : {}) });
}

export async function applyOrganizationEvent(deps: IndexDeps, event: unknown): Promise<IndexChange> {
  const detail = field(event, 'detail');
  const eventName = text(detail, 'eventName') ?? '(none)';
  const ignored = (reason: string): IndexChange => ({ eventName, change: 'ignored', reason });
  if (text(event, 'source') !== 'aws.organizations') return ignored('not an AWS Organizations event');
  if (text(detail, 'errorCode')) return ignored(`the call failed (${text(detail, 'errorCode')})`);
  const at = deps.clock.now();
  const index = deps.organizationIndex;
  const request = field(detail, 'requestParameters');

  switch (eventName) {
    case 'CreateAccountResult': {
      const status = field(detail, 'serviceEventDetails', 'createAccountStatus');
      const accountId = text(status, 'accountId');
      if (text(status, 'state') !== 'SUCCEEDED' || !accountId || !ACCOUNT_ID.test(accountId)) return ignored('no account was created');
      return recordFromOrganization(deps, eventName, accountId, at);
    }
    case 'MoveAccount': {
      const accountId = text(request, 'accountId');
      const parentId = text(request, 'destinationParentId');
      if (!accountId || !ACCOUNT_ID.test(accountId) || !parentId || !PARENT_ID.test(parentId)) return ignored('no account id or destination');
      return recordFromOrganization(deps, eventName, accountId, at, parentId);
    }
    case 'CloseAccount':
      return withAccountId(request, eventName, (accountId) => recordFromOrganization(deps, eventName, accountId, at));
    case 'CloseAccountResult':
      return withAccountId(field(detail, 'serviceEventDetails', 'closeAccountStatus'), eventName, (accountId) => recordFromOrganization(deps, eventName, accountId, at));
    case 'AccountDepartedOrganization':
      // A closed account gone for good (90 days after closing), or one that left: it no longer counts.
      return withAccountId(field(detail, 'serviceEventDetails'), eventName, async (accountId) => {
        await index.forgetAccount(accountId, at);
        return { eventName, change: 'forgotten', id: accountId };
      });
    case 'RemoveAccountFromOrganization':
      return withAccountId(request, eventName, async (accountId) => {
        await index.forgetAccount(accountId, at);
        return { eventName, change: 'forgotten', id: accountId };
      });
    case 'CreateOrganizationalUnit': {
      const id = text(detail, 'responseElements', 'organizationalUnit', 'id');
      const name = text(detail, 'responseElements', 'organizationalUnit', 'name');
      const parentId = text(request, 'parentId');
      if (!id || !OU_ID.test(id) || !name || !parentId || !PARENT_ID.test(parentId)) return ignored('no OU id, name or parent');
      const parentPath = parentId.startsWith('r-') ? '' : await index.ouPathOf(parentId);
      // A parent the index does not know yet: the next resolution or walk records both.
      if (parentPath === undefined) return ignored(`the parent ${parentId} is not in the index yet`);
      await index.recordOu(parentPath ? `${parentPath}/${name}` : name, id, at);
      return { eventName, change: 'ou-recorded', id };
    }
    case 'UpdateOrganizationalUnit':
    case 'DeleteOrganizationalUnit': {
      const id = text(request, 'organizationalUnitId');
      if (!id || !OU_ID.test(id)) return ignored('no OU id');
      // A renamed OU moves every path below it: forget them; the next resolution or walk finds the new ones.
      await index.forgetOu(id, at);
      return { eventName, change: 'ou-forgotten', id };
    }
    default:
      return ignored('not an event the index follows');
  }
}

async function withAccountId(request: unknown, eventName: string, run: (accountId: string) => Promise<IndexChange>): Promise<IndexChange> {
  const accountId = text(request, 'accountId');
  if (!accountId || !ACCOUNT_ID.test(accountId)) return { eventName, change: 'ignored', reason: 'no account id' };
  return run(accountId);
}

/** The account as Organizations describes it now, which also settles events arriving out of order. */
async function recordFromOrganization(deps: IndexDeps, eventName: string, accountId: string, at: Date, parentId?: string): Promise<IndexChange> {
  const account = await deps.organization.describeAccount(accountId);
  if (!account) {
    await deps.organizationIndex.forgetAccount(accountId, at);
    return { eventName, change: 'forgotten', id: accountId };
  }
  const indexed: IndexedAccount = { id: account.id, name: account.name, email: account.email, status: account.status, ...(parentId ? { parentId } : {}) };
  await deps.organizationIndex.recordAccount(indexed, at);
  return { eventName, change: 'recorded', id: accountId };
}
