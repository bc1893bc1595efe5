/**
 * The stores that share items between writers, on a real table (dynalite): creation slots, drift
 * reports and delivery records under racing writers, and items exactly as an earlier release wrote
 * them (no version attribute, no schemaVersion), which must still be read and changed.
 */
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoStores } from '../../shared/adapters/aws/dynamodb-stores';
import { createDynamoDocumentClient, ensureRegistryTable } from '../../shared/adapters/aws/dynamodb-table';
import type { DriftReport } from '../../shared/domain/drift';
import { InvalidStoredRecordError } from '../../shared/domain/errors';
import type { Stores } from '../../shared/ports';

const dynalite = require('dynalite') as typeof import('dynalite');

const TABLE = 'switchyard-stores';
const server = dynalite({ createTableMs: 0 });
const NOW = new Date('2026-11-28T09:00:00Z');
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let stores: Stores;

beforeAll(async () => {
  await new Promise<void>((ok, fail) => server.listen(0, '127.0.0.1', ok).once('error', fail));
  const config = { region: 'us-east-1', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  client = new DynamoDBClient(config);
  doc = createDynamoDocumentClient({ ...config, maxAttempts: 1 });
  await ensureRegistryTable(client, TABLE);
  stores = dynamoStores(doc, TABLE, { now: () => NOW });
});

afterAll(async () => {
  client?.destroy();
  doc?.destroy();
  await new Promise<void>((ok) => server.close(() => ok()));
});

const putRaw = (item: Record<string, unknown>) => doc.send(new PutCommand({ TableName: TABLE, Item: item }));
const getRaw = async (pk: string) => (await doc.send(new GetCommand({ TableName: TABLE, Key: { pk } }))).Item;

function report(id: string, previous: DriftReport | undefined): DriftReport {
  return {
    id,
    checkedAt: NOW.toISOString(),
    trigger: previous ? `after ${previous.id}` : 'first',
    durationMs: 0,
    apiCalls: 0,
    floorCalls: 0,
    organization: { accounts: 0, ous: 0 },
    environmentsChecked: 0,
    findings: [],
    counts: { total: 0, confirmed: 0, pending: 0 },
    detected: [],
    resolved: [],
  } as unknown as DriftReport;
}

describe('creation slots', () => {
  it('lets exactly `limit` of many holders racing for them in, and each gives its own back', async () => {
    const holders = Array.from({ length: 8 }, (_, i) => `env-${i}`);
    const taken = await Promise.all(holders.map((h) => stores.creationSlots.acquire(h, { limit: 3, now: NOW, staleAfterSeconds: 3600 })));
    const winners = holders.filter((_, i) => taken[i]!.acquired);
    // Contention may turn a holder away with a slot still free ("come back at the next poll"), never let a fourth in.
    expect(winners.length).toBeGreaterThanOrEqual(1);
    expect(winners.length).toBeLessThanOrEqual(3);
    expect((await getRaw('SLOTS#create-account'))!.holders).toEqual(Object.fromEntries(winners.map((w) => [w, NOW.toISOString()])));
    await Promise.all(winners.map((w) => stores.creationSlots.release(w)));
    expect((await getRaw('SLOTS#create-account'))!.holders).toEqual({});
  });

  it('keeps every creation time recorded at once (up to the last 20)', async () => {
    await Promise.all([1, 2, 3, 4].map((s) => stores.creationSlots.recordDuration(s)));
    expect((await stores.creationSlots.recentDurations()).sort()).toEqual([1, 2, 3, 4]);
  });
});

describe('drift reports', () => {
  it('stores one report per check racing another, each built on the one before it', async () => {
    const saved = await Promise.all(['a', 'b', 'c'].map((id) => stores.driftReports.saveLatest((previous) => report(id, previous))));
    const latest = (await stores.driftReports.latest())!;
    // A chain: every report but the first names the one it built on, and the latest is the end of it.
    const byPrevious = new Map(saved.map((r) => [r.trigger, r.id]));
    expect(byPrevious.get('first')).toBeDefined();
    let end = byPrevious.get('first')!;
    while (byPrevious.has(`after ${end}`)) end = byPrevious.get(`after ${end}`)!;
    expect(latest.id).toBe(end);
    expect(saved.filter((r) => r.trigger === 'first')).toHaveLength(1);
  });

  it('builds on a latest report an earlier release stored (without a version)', async () => {
    const own = dynamoStores(doc, 'switchyard-stores-drift', { now: () => NOW });
    await ensureRegistryTable(client, 'switchyard-stores-drift');
    await doc.send(new PutCommand({ TableName: 'switchyard-stores-drift', Item: { pk: 'DRIFT#LATEST', reportId: 'old', report: report('old', undefined) } }));
    const next = await own.driftReports.saveLatest((previous) => report('new', previous));
    expect(next.trigger).toBe('after old');
    expect((await own.driftReports.latest())!.id).toBe('new');
  });
});

describe('delivery records', () => {
  const key = { subject: 'staging-00000009', kind: 'ready', channel: 'email' };

  it('lets a message released before versions existed be claimed again, by one of many asking', async () => {
    await putRaw({ pk: 'DELIVERY#staging-00000009#ready#email', ...key, state: 'released' });
    const claims = await Promise.all(Array.from({ length: 5 }, () => stores.deliveries.claim(key, NOW)));
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    expect(claims.filter((c) => !c.claimed)).toEqual(Array(4).fill({ claimed: false, state: 'sending' }));
  });

  it('never releases a message once delivered, and delivers one an earlier release claimed', async () => {
    const earlier = { subject: 'staging-00000010', kind: 'ready', channel: 'email' };
    await putRaw({ pk: 'DELIVERY#staging-00000010#ready#email', ...earlier, state: 'sending', claimedAt: NOW.toISOString() });
    await stores.deliveries.markDelivered(earlier, NOW);
    await stores.deliveries.release(earlier);
    expect(await stores.deliveries.claim(earlier, NOW)).toEqual({ claimed: false, state: 'delivered' });
  });
});

describe('environments', () => {
  it('refuses to read a damaged record, naming it, instead of handing it on', async () => {
    await putRaw({ pk: 'ENV#broken-00000001', gsi1pk: 'ENV', gsi1sk: '2026-11-28T09:00:00.000Z#broken-00000001', id: 'broken-00000001', name: 'Broken', status: 'LOST' });
    const error = await stores.environments.get('broken-00000001').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidStoredRecordError);
    expect((error as Error).message).toContain('broken-00000001');
    await expect(stores.environments.update('broken-00000001', (e) => e)).rejects.toBeInstanceOf(InvalidStoredRecordError);
  });
});
