/**
 * The organization index on a real table (dynalite), and what CloudTrail events do to it: lookups
 * as the pre-flight compares names and emails, the count kept by single writers and set whole by a
 * walk, OU paths, and events that must change nothing (failed calls, other sources, malformed).
 */
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoOrganizationIndex } from '../../shared/adapters/aws/dynamodb-organization-index';
import { createDynamoDocumentClient, ensureRegistryTable } from '../../shared/adapters/aws/dynamodb-table';
import type { IndexedAccount, OrgAccount, Organization, OrganizationIndex } from '../../shared/ports';
import { applyOrganizationEvent } from '../../shared/use-cases/organization-index';

const dynalite = require('dynalite') as typeof import('dynalite');

const server = dynalite({ createTableMs: 0 });
const AT = new Date('2026-11-30T09:00:00Z');
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let table = 0;

beforeAll(async () => {
  await new Promise<void>((ok, fail) => server.listen(0, '127.0.0.1', ok).once('error', fail));
  const config = { region: 'us-east-1', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  client = new DynamoDBClient(config);
  doc = createDynamoDocumentClient({ ...config, maxAttempts: 1 });
});

afterAll(async () => {
  client?.destroy();
  doc?.destroy();
  await new Promise<void>((ok) => server.close(() => ok()));
});

/** A fresh table per test: the index's items are few and fixed-keyed. */
async function freshIndex(): Promise<DynamoOrganizationIndex> {
  const name = `switchyard-index-${++table}`;
  await ensureRegistryTable(client, name);
  return new DynamoOrganizationIndex(doc, name);
}

const account = (n: number, overrides: Partial<IndexedAccount> = {}) => ({ id: String(100000000000 + n), name: `Team ${n}`, email: `team+${n}@example.com`, status: 'ACTIVE', ...overrides });

describe('lookups', () => {
  it('finds an account by name as environment names compare (case, outer and repeated spaces), and never by a longer name', async () => {
    const index = await freshIndex();
    await index.recordAccount(account(1, { name: 'Data  Platform' }), AT);
    await index.recordAccount(account(2, { name: 'Data#Platform' }), AT);
    await index.recordAccount(account(3, { name: 'Data' }), AT);
    expect((await index.accountsNamed(' data platform ')).map((a) => a.id)).toEqual(['100000000001']);
    // `data#` is a prefix of the key of "Data#Platform": only the exact name may match.
    expect((await index.accountsNamed('Data')).map((a) => a.id)).toEqual(['100000000003']);
    expect(await index.accountsNamed('Platform')).toEqual([]);
  });

  it('finds an account by email in any case', async () => {
    const index = await freshIndex();
    await index.recordAccount(account(1, { email: 'Ops@Example.com' }), AT);
    expect(await index.accountWithEmail('ops@example.COM')).toMatchObject({ id: '100000000001', email: 'Ops@Example.com' });
    expect(await index.accountWithEmail('other@example.com')).toBeUndefined();
  });
});

describe('the count and what a walk writes', () => {
  it('counts an account once however often it is recorded, and forgets it once', async () => {
    const index = await freshIndex();
    await index.recordAccount(account(1), AT);
    await index.recordAccount(account(1, { status: 'SUSPENDED' }), AT);
    await index.recordAccount(account(2), AT);
    expect((await index.summary()).accounts).toBe(2);
    await index.forgetAccount('100000000001', AT);
    await index.forgetAccount('100000000001', AT);
    expect((await index.summary()).accounts).toBe(1);
    expect(await index.accountWithEmail('team+1@example.com')).toBeUndefined();
  });

  it('keeps a known parent when a later record does not say it', async () => {
    const index = await freshIndex();
    await index.recordAccount(account(1, { parentId: 'ou-ab12-11111111' }), AT);
    await index.recordAccount(account(1, { status: 'PENDING_CLOSURE' }), AT);
    expect(await index.accountWithEmail('team+1@example.com')).toMatchObject({ status: 'PENDING_CLOSURE', parentId: 'ou-ab12-11111111' });
  });

  it('becomes exactly a walk: writes only what changed, deletes what left, and sets the count and the time', async () => {
    const index = await freshIndex();
    await index.replace({ accounts: [account(1), account(2), account(3)], ous: [{ path: 'Workloads', id: 'ou-ab12-11111111' }] }, AT);
    const later = new Date('2026-11-30T10:00:00Z');
    const second = await index.replace({ accounts: [account(1), account(2, { name: 'Renamed' }), account(4)], ous: [{ path: 'Sandbox', id: 'ou-ab12-22222222' }] }, later);
    expect(second).toEqual({ written: 2, removed: 1 });
    expect(await index.summary()).toEqual({ accounts: 3, refreshedAt: later.toISOString(), updatedAt: later.toISOString() });
    expect(await index.accountsNamed('Team 2')).toEqual([]);
    expect(await index.accountsNamed('Renamed')).toHaveLength(1);
    expect(await index.accountWithEmail('team+3@example.com')).toBeUndefined();
    expect(await index.ouIdAt('Workloads')).toBeUndefined();
    expect(await index.ouIdAt('Sandbox')).toBe('ou-ab12-22222222');
  });

  it('says no walk built it until one did', async () => {
    const index = await freshIndex();
    await index.recordAccount(account(1), AT);
    expect(await index.summary()).toEqual({ accounts: 1, updatedAt: AT.toISOString() });
  });
});

describe('OU paths', () => {
  it('answers a path and an id, and forgets an OU with every path below it', async () => {
    const index = await freshIndex();
    await index.recordOu('Workloads', 'ou-ab12-11111111', AT);
    await index.recordOu('Workloads/Staging', 'ou-ab12-22222222', AT);
    await index.recordOu('Workloads Two', 'ou-ab12-33333333', AT);
    expect(await index.ouPathOf('ou-ab12-22222222')).toBe('Workloads/Staging');
    await index.forgetOu('ou-ab12-11111111', AT);
    expect(await index.ouIdAt('Workloads')).toBeUndefined();
    expect(await index.ouIdAt('Workloads/Staging')).toBeUndefined();
    expect(await index.ouIdAt('Workloads Two')).toBe('ou-ab12-33333333');
  });
});

describe('applyOrganizationEvent', () => {
  const described: OrgAccount = { id: '123456789012', name: 'Analytics', email: 'analytics@example.com', status: 'ACTIVE' };
  function deps(index: OrganizationIndex, accounts: Record<string, OrgAccount> = { [described.id]: described }) {
    const asked: string[] = [];
    const organization = { describeAccount: async (id: string) => (asked.push(id), accounts[id]) } as Partial<Organization> as Organization;
    return { asked, deps: { organization, organizationIndex: index, clock: { now: () => AT } } };
  }
  const apiCall = (eventName: string, detail: Record<string, unknown>) => ({ source: 'aws.organizations', 'detail-type': 'AWS API Call via CloudTrail', detail: { eventSource: 'organizations.amazonaws.com', eventName, ...detail } });

  it('records a created account with its email from DescribeAccount, one call', async () => {
    const index = await freshIndex();
    const { asked, deps: d } = deps(index);
    const change = await applyOrganizationEvent(d, {
      source: 'aws.organizations',
      'detail-type': 'AWS Service Event via CloudTrail',
      detail: { eventName: 'CreateAccountResult', serviceEventDetails: { createAccountStatus: { id: 'car-1', state: 'SUCCEEDED', accountId: described.id, accountName: 'Analytics' } } },
    });
    expect(change).toEqual({ eventName: 'CreateAccountResult', change: 'recorded', id: described.id });
    expect(asked).toEqual([described.id]);
    expect(await index.accountWithEmail('analytics@example.com')).toMatchObject({ id: described.id, name: 'Analytics' });
  });

  it('keeps a moved account under its new parent, and forgets an account AWS no longer knows', async () => {
    const index = await freshIndex();
    const { deps: d } = deps(index);
    await applyOrganizationEvent(d, apiCall('MoveAccount', { requestParameters: { accountId: described.id, sourceParentId: 'r-ab12', destinationParentId: 'ou-ab12-11111111' } }));
    expect(await index.accountWithEmail(described.email)).toMatchObject({ parentId: 'ou-ab12-11111111' });
    const gone = deps(index, {});
    expect(await applyOrganizationEvent(gone.deps, apiCall('CloseAccount', { requestParameters: { accountId: described.id } }))).toMatchObject({ change: 'forgotten' });
    expect(await index.accountWithEmail(described.email)).toBeUndefined();
  });

  it('follows a closing to its end, and forgets an account gone for good', async () => {
    const index = await freshIndex();
    const { asked, deps: d } = deps(index, { [described.id]: { ...described, status: 'SUSPENDED' } });
    const closed = { source: 'aws.organizations', 'detail-type': 'AWS Service Event via CloudTrail', detail: { eventName: 'CloseAccountResult', serviceEventDetails: { closeAccountStatus: { accountId: described.id, state: 'SUCCEEDED' } } } };
    expect(await applyOrganizationEvent(d, closed)).toMatchObject({ change: 'recorded', id: described.id });
    expect(asked).toEqual([described.id]);
    expect(await index.accountWithEmail(described.email)).toMatchObject({ status: 'SUSPENDED' });
    const departed = { source: 'aws.organizations', 'detail-type': 'AWS Service Event via CloudTrail', detail: { eventName: 'AccountDepartedOrganization', serviceEventDetails: { accountId: described.id, departureMethod: 'CLEANED' } } };
    expect(await applyOrganizationEvent(d, departed)).toMatchObject({ change: 'forgotten' });
    expect(await index.summary()).toMatchObject({ accounts: 0 });
  });

  it('records a new OU under a parent it knows, by path', async () => {
    const index = await freshIndex();
    await index.recordOu('Workloads', 'ou-ab12-11111111', AT);
    const { deps: d } = deps(index);
    const event = apiCall('CreateOrganizationalUnit', { requestParameters: { parentId: 'ou-ab12-11111111', name: 'Data' }, responseElements: { organizationalUnit: { id: 'ou-ab12-44444444', name: 'Data' } } });
    expect(await applyOrganizationEvent(d, event)).toMatchObject({ change: 'ou-recorded' });
    expect(await index.ouIdAt('Workloads/Data')).toBe('ou-ab12-44444444');
  });

  const nothing: Array<[string, unknown]> = [
    ['a failed call', apiCall('MoveAccount', { errorCode: 'AccessDenied', requestParameters: { accountId: described.id, destinationParentId: 'ou-ab12-11111111' } })],
    ['another source', { ...apiCall('CloseAccount', { requestParameters: { accountId: described.id } }), source: 'aws.iam' }],
    ['an event it does not follow', apiCall('TagResource', { requestParameters: { resourceId: described.id } })],
    ['no detail', { source: 'aws.organizations', 'detail-type': 'AWS API Call via CloudTrail', detail: null }],
    ['an account id that is not one', apiCall('CloseAccount', { requestParameters: { accountId: '../../etc/passwd' } })],
    ['an array for the parameters', apiCall('RemoveAccountFromOrganization', { requestParameters: [described.id] })],
    ['a failed creation', { source: 'aws.organizations', 'detail-type': 'AWS Service Event via CloudTrail', detail: { eventName: 'CreateAccountResult', serviceEventDetails: { createAccountStatus: { state: 'FAILED', failureReason: 'EMAIL_ALREADY_EXISTS' } } } }],
    ['a parent id that is not one', apiCall('MoveAccount', { requestParameters: { accountId: described.id, destinationParentId: 'ou-<script>' } })],
  ];
  it.each(nothing)('changes nothing and asks nothing for %s', async (_what, event) => {
    const index = await freshIndex();
    await index.recordAccount(described, AT);
    const { asked, deps: d } = deps(index);
    expect(await applyOrganizationEvent(d, event)).toMatchObject({ change: 'ignored', reason: expect.any(String) });
    expect(asked).toEqual([]);
    expect(await index.summary()).toMatchObject({ accounts: 1 });
    expect(await index.accountWithEmail(described.email)).toEqual(described);
  });
});
