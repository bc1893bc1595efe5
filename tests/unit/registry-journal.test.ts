import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoEnvironmentStore } from '../../shared/adapters/aws/dynamodb-environment-store';
import { ensureRegistryTable } from '../../shared/adapters/aws/dynamodb-table';
import { advance, newEnvironment } from '../../shared/domain/environment';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import { readJournal, RegistryJournal, type Item } from '../../local/registry-journal';
import { compareWithJournal, describeRecords } from '../../local/state-guard';

const dynalite = require('dynalite') as typeof import('dynalite');

const TABLE = 'switchyard-registry';
const KEY = ['pk'];
const s = (S: string) => ({ S });
const n = (N: string) => ({ N });
const id = (pk: string) => `${TABLE} {"pk":{"S":"${pk}"}}`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-journal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A journal file as the live journal writes it: a snapshot, then these writes appended. */
async function journalWith(snapshot: Item[], writes: Array<{ put: Item } | { delete: string }> = []): Promise<string> {
  const path = join(dir, 'registry.journal');
  const journal = new RegistryJournal(path, KEY);
  await journal.reset(snapshot.map((item) => ({ table: TABLE, item })), [TABLE]);
  await journal.close();
  const appended = writes.map((write) =>
    'put' in write
      ? encodeLine({ t: TABLE, k: `{"pk":{"S":"${write.put.pk!.S}"}}`, i: write.put })
      : encodeLine({ t: TABLE, k: `{"pk":{"S":"${write.delete}"}}`, d: 1 }),
  );
  writeFileSync(path, `${readFileSync(path, 'utf8')}${appended.map((line) => `${line}\n`).join('')}`);
  return path;
}

function encodeLine(value: unknown): string {
  const { crc32 } = require('node:zlib') as { crc32: (data: string) => number };
  const json = JSON.stringify(value);
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}`;
}

const registryOf = (items: Item[]) => new Map(items.map((item) => [id(item.pk!.S!), { table: TABLE, item, form: JSON.stringify(Object.fromEntries(Object.keys(item).sort().map((k) => [k, item[k]]))) }]));

describe('reading the journal', () => {
  it('takes the last write of each record, and ignores a last line cut short (a write never acknowledged)', async () => {
    const path = await journalWith([{ pk: s('ENV#a'), version: n('1') }], [{ put: { pk: s('ENV#a'), version: n('2') } }, { put: { pk: s('ENV#b'), version: n('1') } }]);
    writeFileSync(path, `${readFileSync(path, 'utf8')}${encodeLine({ t: TABLE, k: '{"pk":{"S":"ENV#a"}}', i: { pk: s('ENV#a'), version: n('3') } }).slice(0, 40)}`);
    const journal = readJournal(path)!;
    expect(journal.damage).toBeUndefined();
    expect(journal.entries.get(id('ENV#a'))!.latest).toEqual({ pk: s('ENV#a'), version: n('2') });
    expect(journal.entries.get(id('ENV#a'))!.earlier.size).toBe(1);
    expect(journal.entries.get(id('ENV#b'))!.latest).toEqual({ pk: s('ENV#b'), version: n('1') });
  });

  it('reports a damaged line that a good one follows, an empty file, and a file that ends inside its snapshot', async () => {
    const path = await journalWith([{ pk: s('ENV#a') }, { pk: s('ENV#b') }, { pk: s('ENV#c') }]);
    const lines = readFileSync(path, 'utf8').split('\n');
    writeFileSync(path, [lines[0], lines[1]!.replace('ENV#a', 'ENV#x'), ...lines.slice(2)].join('\n'));
    expect(readJournal(path)!.damage).toBe('line 2 is damaged; it ends inside its snapshot (2 of 3 records)');

    writeFileSync(path, `${lines.slice(0, 2).join('\n')}\n`);
    expect(readJournal(path)!.damage).toBe('it ends inside its snapshot (1 of 3 records)');

    writeFileSync(path, '');
    expect(readJournal(path)!.damage).toBe('it is empty');
    expect(readJournal(join(dir, 'none.journal'))).toBeUndefined();
  });
});

describe('comparing the registry with the journal', () => {
  it('finds nothing when the registry holds every record as last written', async () => {
    const journal = readJournal(await journalWith([{ pk: s('ENV#a'), version: n('1') }], [{ put: { pk: s('ENV#a'), version: n('2') } }]))!;
    const result = compareWithJournal(journal, registryOf([{ pk: s('ENV#a'), version: n('2') }]));
    expect(result.lost).toEqual([]);
    expect(result.ahead).toEqual([]);
  });

  it('counts a record back at an earlier form, or gone, as lost, and takes the journal form for it', async () => {
    const journal = readJournal(
      await journalWith([{ pk: s('ENV#a'), status: s('PLACING') }, { pk: s('ENV#b'), status: s('READY') }], [{ put: { pk: s('ENV#a'), status: s('READY') } }]),
    )!;
    const result = compareWithJournal(journal, registryOf([{ pk: s('ENV#a'), status: s('PLACING') }]));
    expect(result.lost.sort()).toEqual([id('ENV#a'), id('ENV#b')]);
    expect(result.merged.get(id('ENV#a'))!.item).toEqual({ pk: s('ENV#a'), status: s('READY') });
    expect(result.merged.get(id('ENV#b'))!.item).toEqual({ pk: s('ENV#b'), status: s('READY') });
  });

  it('counts a record the registry holds in a form the journal never saw as ahead (the write in flight at a crash), and keeps it', async () => {
    const journal = readJournal(await journalWith([{ pk: s('ENV#a'), version: n('1') }]))!;
    const result = compareWithJournal(journal, registryOf([{ pk: s('ENV#a'), version: n('2') }, { pk: s('SLOTS#x'), version: n('1') }]));
    expect(result.lost).toEqual([]);
    expect(result.ahead.sort()).toEqual([id('ENV#a'), id('SLOTS#x')]);
    expect(result.merged.get(id('ENV#a'))!.item).toEqual({ pk: s('ENV#a'), version: n('2') });
  });

  it('counts a deleted record the registry still holds (as it was before) as lost, and leaves it out', async () => {
    const journal = readJournal(await journalWith([{ pk: s('DELIVERY#a'), state: s('sending') }], [{ delete: 'DELIVERY#a' }]))!;
    expect(compareWithJournal(journal, registryOf([]))).toMatchObject({ lost: [], ahead: [] });
    const rolledBack = compareWithJournal(journal, registryOf([{ pk: s('DELIVERY#a'), state: s('sending') }]));
    expect(rolledBack.lost).toEqual([id('DELIVERY#a')]);
    expect(rolledBack.merged.has(id('DELIVERY#a'))).toBe(false);
  });

  it('names environments by id and counts the other records', () => {
    expect(describeRecords([id('ENV#staging-1a2b3c4d'), id('SLOTS#create-account'), id('DELIVERY#x#ready#email')])).toBe('1 environment (staging-1a2b3c4d) and 2 other records');
  });
});

describe('the live journal', () => {
  const server = dynalite({ createTableMs: 0 });
  let client: DynamoDBClient;
  const clientConfig = () => ({ region: 'us-east-1', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, credentials: { accessKeyId: 't', secretAccessKey: 't' } });
  beforeAll(async () => {
    await new Promise<void>((ok, fail) => server.listen(0, '127.0.0.1', ok).once('error', fail));
    client = new DynamoDBClient(clientConfig());
    await ensureRegistryTable(client, TABLE);
  });
  afterAll(async () => {
    client.destroy();
    await new Promise<void>((ok) => server.close(() => ok()));
  });

  it('records each acknowledged write, and no refused one, before the caller hears back', async () => {
    const path = join(dir, 'registry.journal');
    const journal = new RegistryJournal(path, KEY);
    await journal.reset([], [TABLE]);
    const journaled = new DynamoDBClient(clientConfig());
    journal.attach(journaled);
    const registry = new DynamoEnvironmentStore(DynamoDBDocumentClient.from(journaled, { marshallOptions: { removeUndefinedValues: true } }), TABLE);
    const request = parseEnvironmentRequest({ name: 'Journaled', ou: 'Workloads/Staging' }, { emailTemplate: 'admin+{slug}@example.com' });
    const created = newEnvironment(request, { now: new Date('2026-11-28T09:00:00Z'), source: 'test' });
    await registry.create(created);
    // The journal already has the write when the caller's promise settles.
    expect(readJournal(path)!.entries.get(id(`ENV#${created.id}`))!.latest?.status).toEqual(s('REQUESTED'));

    const updated = await registry.update(created.id, (e) => advance(e, 'CREATING', new Date('2026-11-28T09:01:00Z')));
    // A create that finds the record there is refused by its condition: nothing to record.
    expect((await registry.create(created)).created).toBe(false);
    const doc = DynamoDBDocumentClient.from(journaled);
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'DELIVERY#x', state: 'sending' } }));
    await doc.send(new DeleteCommand({ TableName: TABLE, Key: { pk: 'DELIVERY#x' } }));
    await journal.close();

    const contents = readJournal(path)!;
    expect(contents.damage).toBeUndefined();
    const entry = contents.entries.get(id(`ENV#${created.id}`))!;
    expect(entry.latest?.version).toEqual(n(String(updated.version)));
    expect(entry.earlier.size).toBe(1);
    expect(contents.entries.get(id('DELIVERY#x'))!.latest).toBeUndefined();
    // Header, two environment writes, the delivery put and its delete.
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(5);
    journaled.destroy();
  });

  it('folds its appended writes into a snapshot once they outgrow it, holding the same records', async () => {
    const path = join(dir, 'registry.journal');
    const journal = new RegistryJournal(path, KEY, 4096);
    await journal.reset([], [TABLE]);
    const journaled = new DynamoDBClient(clientConfig());
    journal.attach(journaled);
    const doc = DynamoDBDocumentClient.from(journaled);
    for (let i = 0; i < 60; i++) await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'STATS#busy', n: i, padding: 'x'.repeat(200) } }));
    await journal.close();
    // 60 writes of ~260 bytes would be ~16 KB appended; compaction keeps it near the threshold.
    expect(statSync(path).size).toBeLessThan(8192);
    const contents = readJournal(path)!;
    expect(contents.damage).toBeUndefined();
    expect(contents.entries.get(id('STATS#busy'))!.latest?.n).toEqual(n('59'));
    journaled.destroy();
  });
});
