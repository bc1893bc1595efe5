/**
 * Environments recorded before the console changed its palette carry the earlier hexes (staging's
 * yellow was FAD791). The console no longer accepts those, so whatever shows such an environment
 * must show the current hex (yellow EFDA95). The records here are written straight into a registry
 * table (dynalite), as an earlier release stored them, and read back through the real handlers and steps.
 */
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { build as buildGetEnvironment } from '../../functions/get-environment/handler';
import { build as buildGetSwitchRole } from '../../functions/get-switch-role/handler';
import { build as buildListSwitchRoles } from '../../functions/list-switch-roles/handler';
import { dynamoStores } from '../../shared/adapters/aws/dynamodb-stores';
import { createDynamoDocumentClient, ensureRegistryTable } from '../../shared/adapters/aws/dynamodb-table';
import { environmentId, requestHash } from '../../shared/domain/naming';
import { loadConfig } from '../../shared/lambda/config';
import type { Channel, Events, Notification, Organization, OutgoingEvent, Stores, Workflow } from '../../shared/ports';
import { notifyAdminStep, recordReadyStep } from '../../shared/use-cases/provision-steps';
import { requestEnvironment } from '../../shared/use-cases/request-environment';
import { httpEvent } from '../fixtures/http-event';

const dynalite = require('dynalite') as typeof import('dynalite');

const TABLE = 'switchyard-stored-colors';
const server = dynalite({ createTableMs: 0 });
const config = loadConfig({ SOURCE_PROFILE: 'management' });
const NOW = new Date('2026-11-28T09:30:00.000Z');
const clock = { now: () => NOW };
const context = { functionName: 'switchyard-test', awsRequestId: 'req-1' } as Context;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let stores: Stores;

const LINK = (accountId: string, name: string) =>
  `https://signin.aws.amazon.com/switchrole?account=${accountId}&roleName=OrganizationAccountAccessRole&displayName=${name}&color=EFDA95`;

/**
 * An environment item exactly as an earlier release wrote it: the request normalised with the earlier
 * yellow, its digest taken over those fields, and the table's key attributes.
 */
async function putEarlierRecord(opts: { id: string; name: string; status: string; accountId: string; createdAt: string }): Promise<Record<string, unknown>> {
  const request = { name: opts.name, email: `admin+${opts.id}@example.com`, ou: 'Workloads/Staging', color: 'FAD791', tags: {} };
  const item = {
    pk: `ENV#${opts.id}`,
    gsi1pk: 'ENV',
    gsi1sk: `${opts.createdAt}#${opts.id}`,
    emailKey: request.email,
    ...(opts.status === 'READY' ? {} : { activePk: 'ACTIVE' }),
    id: opts.id,
    ...request,
    requestHash: requestHash(request),
    status: opts.status,
    createdAt: opts.createdAt,
    updatedAt: opts.createdAt,
    source: 'api',
    executionName: opts.id,
    accountId: opts.accountId,
    ouId: 'ou-ab12-staging1',
    ouPath: 'Workloads/Staging',
    timeline: [{ at: opts.createdAt, status: 'REQUESTED', note: 'requested via api' }],
    version: 4,
  };
  await doc.send(new PutCommand({ TableName: TABLE, Item: item }));
  return item;
}

async function storedColor(id: string): Promise<unknown> {
  const { Item } = await doc.send(new GetCommand({ TableName: TABLE, Key: { pk: `ENV#${id}` } }));
  return Item?.color;
}


async function getSwitchRole(id: string, format: string) {
  const handler = buildGetSwitchRole(() => ({ config, environments: stores.environments }));
  return (await handler(httpEvent(`/environments/${id}/switch-role`, 'GET /environments/{id}/switch-role', { pathParameters: { id }, query: { format } }), context)) as APIGatewayProxyStructuredResultV2;
}

beforeAll(async () => {
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', resolve).once('error', reject));
  const endpoint = { region: 'us-east-1', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  client = new DynamoDBClient(endpoint);
  doc = createDynamoDocumentClient({ ...endpoint, maxAttempts: 1 });
  stores = dynamoStores(doc, TABLE, clock);
  await ensureRegistryTable(client, TABLE);
});

afterAll(async () => {
  client?.destroy();
  doc?.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('a READY environment stored with FAD791', () => {
  const staging = { id: environmentId('Staging'), name: 'Staging', status: 'READY', accountId: '222233334444', createdAt: '2024-05-01T10:00:00.000Z' };

  beforeAll(async () => {
    await putEarlierRecord(staging);
  });

  it('gets the current yellow in its console link', async () => {
    const result = await getSwitchRole(staging.id, 'url');
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe(LINK('222233334444', 'Staging'));
  });

  it('gets the current yellow in its extension entry, and its aws-config profile is whole', async () => {
    const extension = await getSwitchRole(staging.id, 'extension');
    expect(extension.body).toBe('[profile staging]\naws_account_id = 222233334444\nrole_name = OrganizationAccountAccessRole\ncolor = EFDA95\n');
    const profile = await getSwitchRole(staging.id, 'aws-config');
    expect(profile.body).toBe('[profile staging]\nrole_arn = arn:aws:iam::222233334444:role/OrganizationAccountAccessRole\nsource_profile = management\n');
  });

  it('gets the current yellow in the switch-role JSON', async () => {
    const body = JSON.parse((await getSwitchRole(staging.id, 'json')).body!);
    expect(body).toMatchObject({ color: 'EFDA95', colorName: 'yellow', consoleUrl: LINK('222233334444', 'Staging') });
    expect(body.extensionEntry).toContain('color = EFDA95\n');
  });

  it('gets the current yellow in GET /environments/{id}', async () => {
    const handler = buildGetEnvironment(() => ({ config, environments: stores.environments }));
    const result = (await handler(httpEvent(`/environments/${staging.id}`, 'GET /environments/{id}', { pathParameters: { id: staging.id } }), context)) as APIGatewayProxyStructuredResultV2;
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body!);
    expect(body.color).toBe('EFDA95');
    expect(body.switchRole).toMatchObject({ color: 'EFDA95', colorName: 'yellow', consoleUrl: LINK('222233334444', 'Staging') });
    expect(result.body).not.toContain('FAD791');
  });

  it('gets the current yellow in the GET /switch-roles extension file', async () => {
    const handler = buildListSwitchRoles(() => ({ config, environments: stores.environments, clock }));
    const result = (await handler(httpEvent('/switch-roles', 'GET /switch-roles', { query: { format: 'extension' } }), context)) as APIGatewayProxyStructuredResultV2;
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('[profile staging]\naws_account_id = 222233334444\nrole_name = OrganizationAccountAccessRole\ncolor = EFDA95\n');
    expect(result.body).not.toContain('FAD791');
  });

  it('is still the same request when its original body is sent again: the environment comes back, no conflict', async () => {
    const unused = new Proxy({}, { get: (_t, name) => () => Promise.reject(new Error(`unexpected call ${String(name)}`)) });
    const outcome = await requestEnvironment(
      { config, clock, ...stores, organization: unused as Organization, workflow: unused as Workflow, events: unused as Events },
      { body: { name: 'Staging', ou: 'Workloads/Staging', email: `admin+${staging.id}@example.com`, color: 'FAD791' }, source: 'api' },
    );
    expect(outcome).toMatchObject({ created: false, environment: { id: staging.id, color: 'EFDA95', status: 'READY' } });
  });
});

describe('an environment stored with FAD791 while it was being provisioned', () => {
  const playground = { id: environmentId('Staging Two'), name: 'Staging Two', status: 'PLACING', accountId: '555566667777', createdAt: '2024-05-02T10:00:00.000Z' };

  beforeAll(async () => {
    await putEarlierRecord(playground);
  });

  it('is announced with the current yellow, and the record keeps it from then on', async () => {
    const sent: Notification[] = [];
    const channel: Channel = { name: 'recorder', send: async (n) => void sent.push(n) };
    await notifyAdminStep({ ...stores, channels: [channel], clock, config }, { id: playground.id });
    expect(sent).toHaveLength(1);
    const notification = sent[0]!;
    expect(notification.kind).toBe('ready');
    if (notification.kind !== 'ready') return;
    expect(notification.environment.color).toBe('EFDA95');
    expect(notification.switchRole).toMatchObject({ color: 'EFDA95', colorName: 'yellow', consoleUrl: LINK('555566667777', 'Staging%20Two') });
    expect(notification.switchRole.extensionEntry).toContain('color = EFDA95\n');
    expect(await storedColor(playground.id)).toBe('EFDA95');
  });

  it('publishes Environment Ready with the current yellow in its console link', async () => {
    const published: OutgoingEvent[] = [];
    await recordReadyStep({ ...stores, clock, config, events: { publish: async (events) => void published.push(...events) } }, { id: playground.id });
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ detailType: 'Environment Ready', detail: { consoleUrl: LINK('555566667777', 'Staging%20Two') } });
  });
});
