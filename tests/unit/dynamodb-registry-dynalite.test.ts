import type { AddressInfo } from 'node:net';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoEnvironmentStore } from '../../shared/adapters/aws/dynamodb-environment-store';
import { DynamoIdempotencyStore } from '../../shared/adapters/aws/dynamodb-idempotency-store';
import { createDynamoDocumentClient, ensureRegistryTable } from '../../shared/adapters/aws/dynamodb-table';
import { advance, newEnvironment, type Environment } from '../../shared/domain/environment';
import { InvalidInputError } from '../../shared/domain/errors';
import { parseEnvironmentRequest } from '../../shared/domain/request';

const dynalite = require('dynalite') as typeof import('dynalite');

const TABLE = 'switchyard-registry';
const server = dynalite({ createTableMs: 0 });
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let registry: DynamoEnvironmentStore;
let idempotency: DynamoIdempotencyStore;

function env(name: string, minute: number, email?: string): Environment {
  const request = parseEnvironmentRequest({ name, ou: 'Workloads/Staging', ...(email ? { email } : {}) }, { emailTemplate: 'admin+{slug}@example.com' });
  return newEnvironment(request, { now: new Date(Date.UTC(2026, 10, 28, 9, minute)), source: 'test' });
}

beforeAll(async () => {
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', resolve).once('error', reject));
  const config = {
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  client = new DynamoDBClient(config);
  doc = createDynamoDocumentClient({ ...config, maxAttempts: 1 });
  registry = new DynamoEnvironmentStore(doc, TABLE);
  idempotency = new DynamoIdempotencyStore(doc, TABLE);
  await ensureRegistryTable(client, TABLE);
});

afterAll(async () => {
  client?.destroy();
  doc?.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

it('creates the table once and leaves an existing one alone', async () => {
  await ensureRegistryTable(client, TABLE);
  const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
  expect(Table?.TableStatus).toBe('ACTIVE');
  expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(['byActive', 'byCreated', 'byEmail']);
});

it('creates an environment once; a second create returns the stored one', async () => {
  const first = env('Round Trip', 0);
  expect(await registry.create(first)).toEqual({ created: true, environment: first });
  const again = await registry.create({ ...first, requestedBy: 'someone-else', createdAt: '2030-01-01T00:00:00.000Z' });
  expect(again).toEqual({ created: false, environment: first });
  expect(await registry.get(first.id)).toEqual(first);
});

it('updates with a new version and keeps optional fields absent rather than undefined', async () => {
  const e = env('Updated', 1);
  await registry.create(e);
  const at = new Date(Date.UTC(2026, 10, 28, 10, 0));
  const updated = await registry.update(e.id, (current) => advance(current, 'CREATING', at, 'creating', { createRequestId: 'car-abc12345', accountId: undefined }));
  expect(updated).toMatchObject({ status: 'CREATING', version: 1, createRequestId: 'car-abc12345', updatedAt: at.toISOString() });
  const stored = (await registry.get(e.id))!;
  expect(stored).toEqual(updated);
  expect(stored).not.toHaveProperty('accountId');
  expect(await registry.update(e.id, () => undefined)).toEqual(stored);
});

it('settles two racing updates without losing either change', async () => {
  const e = env('Raced', 2);
  await registry.create(e);
  await Promise.all([
    registry.update(e.id, (c) => ({ ...c, tags: { ...c.tags, a: '1' } })),
    registry.update(e.id, (c) => ({ ...c, tags: { ...c.tags, b: '2' } })),
  ]);
  const stored = (await registry.get(e.id))!;
  expect(stored.tags).toEqual({ a: '1', b: '2' });
  expect(stored.version).toBe(2);
});

describe('listing', () => {
  // A table of its own, so what other tests create does not shift the pages.
  let listing: DynamoEnvironmentStore;
  const listed: Environment[] = [];

  beforeAll(async () => {
    await ensureRegistryTable(client, 'switchyard-listing');
    listing = new DynamoEnvironmentStore(doc, 'switchyard-listing');
    for (let i = 0; i < 7; i++) {
      const e = env(`Listed ${i}`, 30 + i);
      listed.push(e);
      await listing.create(e);
    }
  });

  it('pages newest first with a cursor', async () => {
    const names: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await listing.list({ limit: 3, ...(cursor ? { cursor } : {}) });
      names.push(page.items.map((e) => e.name));
      cursor = page.cursor;
    } while (cursor);
    expect(names).toEqual([
      ['Listed 6', 'Listed 5', 'Listed 4'],
      ['Listed 3', 'Listed 2', 'Listed 1'],
      ['Listed 0'],
    ]);
  });

  it('rejects a made-up cursor', async () => {
    await expect(listing.list({ limit: 3, cursor: Buffer.from('{"pk":1}').toString('base64url') })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('lists active environments and drops one once it is READY', async () => {
    const target = listed[3]!;
    expect((await listing.listActive()).map((e) => e.id)).toEqual(listed.map((e) => e.id));
    await listing.update(target.id, (c) => advance(c, 'READY', new Date(Date.UTC(2026, 10, 28, 11, 0))));
    expect((await listing.listActive()).map((e) => e.id)).toEqual(listed.filter((e) => e !== target).map((e) => e.id));
    expect((await listing.get(target.id))?.status).toBe('READY');
  });
});

it('finds an environment by email regardless of case, preferring one that did not fail', async () => {
  const failed = env('Mail New', 50, 'Ops+Mail@Example.com');
  const live = env('Mail Old', 49, 'ops+mail@example.com');
  await registry.create(live);
  await registry.create(failed);
  await registry.update(failed.id, (c) => advance(c, 'FAILED', new Date(Date.UTC(2026, 10, 28, 12, 0))));
  expect((await registry.findByEmail('OPS+MAIL@EXAMPLE.COM'))?.id).toBe(live.id);
  expect(await registry.findByEmail('nobody@example.com')).toBeUndefined();
});

it('binds an idempotency key to the first caller', async () => {
  expect(await idempotency.claimIdempotencyKey('key-1', { id: 'first-1', requestHash: 'h1' })).toEqual({ id: 'first-1', requestHash: 'h1' });
  expect(await idempotency.claimIdempotencyKey('key-1', { id: 'second-2', requestHash: 'h2' })).toEqual({ id: 'first-1', requestHash: 'h1' });
});

it('lets a new caller take over a key whose 24 hours have passed, even before TTL removes it', async () => {
  const later = new DynamoIdempotencyStore(doc, TABLE, { now: () => new Date(Date.now() + 25 * 60 * 60 * 1000) });
  await idempotency.claimIdempotencyKey('key-2', { id: 'first-1', requestHash: 'h1' });
  expect(await later.claimIdempotencyKey('key-2', { id: 'second-2', requestHash: 'h2' })).toEqual({ id: 'second-2', requestHash: 'h2' });
});
