import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { BatchWriteItemCommand, DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { ClassicLevel } from 'classic-level';
import dynalite from 'dynalite';
import { REGISTRY_TABLE_DEFINITION, ensureRegistryTable } from '../shared/adapters/aws/dynamodb-table';
import { organizationFilePath } from '../shared/adapters/local/sim-org';
import type { EnvironmentStore } from '../shared/ports';
import { formDigest, itemForm, readJournal, recordId, RegistryJournal, wireItem, type JournalContents, type StoredRecord } from './registry-journal';

/**
 * What the local runtime keeps on disk is checked before anything runs on it. The registry (dynalite
 * on LevelDB, `<dataDir>/registry/`) is compared with its journal (`<dataDir>/registry.journal`): a
 * registry that lost records, or holds an earlier form of one, is rebuilt from the journal, every
 * record exactly as last written; when neither file can be trusted, start-up stops and says which
 * file, what is wrong and the way out. Either way the runtime never starts with less than there was,
 * so a READY environment cannot look in flight again and run (and notify) a second time.
 */

export const REGISTRY_DIR = 'registry';
export const JOURNAL_FILE = 'registry.journal';

const KEY_ATTRIBUTES = REGISTRY_TABLE_DEFINITION.KeySchema.map((k) => k.AttributeName);

export interface LocalRegistry {
  /** The client the registry adapter uses: every write through it is journaled. */
  client: DynamoDBClient;
  close(): Promise<void>;
}

interface Dynalite {
  server: Server;
  client: DynamoDBClient;
  close(): Promise<void>;
}

async function startDynalite(path: string): Promise<Dynalite> {
  const server = dynalite({ path, createTableMs: 0 });
  await new Promise<void>((ok, fail) => server.listen(0, '127.0.0.1', ok).once('error', fail));
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    server,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/**
 * Opens LevelDB itself and reads every entry: dynalite rethrows storage errors inside its request
 * handler, where they end the process with "Database is closed" and no file named.
 * Returns what is wrong, or undefined when all of it reads.
 */
async function unreadable(dir: string): Promise<string | undefined> {
  if (!existsSync(dir)) return undefined;
  const db = new ClassicLevel<string, string>(dir, { createIfMissing: false });
  try {
    await db.open();
    for await (const [, value] of db.iterator({ fillCache: false })) JSON.parse(value);
    return undefined;
  } catch (error) {
    const cause = ((error as { cause?: Error }).cause ?? error) as Error & { code?: string };
    if (cause.code === 'LEVEL_LOCKED') throw new Error(`The registry in ${dir} is open in another process; stop it (another Switchyard runtime?) and start again.`);
    return cause instanceof SyntaxError ? `an entry is not JSON (${cause.message})` : cause.message;
  } finally {
    await db.close().catch(() => undefined);
  }
}

interface RegistryRecord extends StoredRecord {
  form: string;
}

async function scanRegistry(client: DynamoDBClient, tables: Iterable<string>): Promise<Map<string, RegistryRecord>> {
  const records = new Map<string, RegistryRecord>();
  for (const table of tables) {
    try {
      for await (const page of paginateScan({ client }, { TableName: table, ConsistentRead: true })) {
        for (const item of page.Items ?? []) {
          const wire = wireItem(item);
          records.set(recordId(table, wire, KEY_ATTRIBUTES), { table, item, form: itemForm(wire) });
        }
      }
    } catch (error) {
      // A table the registry no longer has holds nothing; the comparison says what that lost.
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    }
  }
  return records;
}

export interface Comparison {
  /** Records the registry no longer holds as last written: gone, or back at an earlier form. */
  lost: string[];
  /** Records the registry holds in a form the journal never recorded: the journal is behind. */
  ahead: string[];
  /** Every record at its newest known form. */
  merged: Map<string, StoredRecord>;
}

/**
 * Per record, the newer of the two sides. The registry takes each write before the journal records
 * it, so it may be one write ahead (the one in flight when the process stopped); anything the
 * registry holds that the journal saw superseded, or does not hold at all, it lost.
 */
export function compareWithJournal(journal: JournalContents, registry: Map<string, RegistryRecord>): Comparison {
  const lost: string[] = [];
  const ahead: string[] = [];
  const merged = new Map<string, StoredRecord>();
  for (const [id, entry] of journal.entries) {
    const held = registry.get(id);
    if (held && held.form === entry.latestForm) {
      merged.set(id, held);
    } else if (held ? entry.earlier.has(formDigest(held.form)) : entry.latest !== undefined) {
      lost.push(id);
      if (entry.latest) merged.set(id, { table: entry.table, item: entry.latest });
    } else if (held) {
      ahead.push(id);
      merged.set(id, held);
    }
  }
  for (const [id, held] of registry) {
    if (journal.entries.has(id)) continue;
    ahead.push(id);
    merged.set(id, held);
  }
  return { lost, ahead, merged };
}

/** `3 environments (a, b, c) and 9 other records`, from record ids. */
export function describeRecords(ids: readonly string[]): string {
  const environments = ids.map((id) => /"S":"ENV#([^"]+)"/.exec(id)?.[1]).filter((e): e is string => Boolean(e));
  const others = ids.length - environments.length;
  const shown = environments.slice(0, 5).join(', ') + (environments.length > 5 ? `, … ${environments.length - 5} more` : '');
  const parts = [
    ...(environments.length ? [`${environments.length} environment${environments.length === 1 ? '' : 's'} (${shown})`] : []),
    ...(others ? [`${others} other record${others === 1 ? '' : 's'}`] : []),
  ];
  return parts.join(' and ') || 'no records';
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** Writes every record into a fresh registry at `dir` and reads it back to confirm it holds exactly them. */
async function rebuild(dir: string, records: Map<string, StoredRecord>, tables: Set<string>): Promise<Dynalite> {
  const fresh = await startDynalite(dir);
  try {
    for (const table of tables) await ensureRegistryTable(fresh.client, table);
    const items = [...records.values()];
    for (let i = 0; i < items.length; i += 25) {
      let requests: Record<string, { PutRequest: { Item: StoredRecord['item'] } }[]> = {};
      for (const { table, item } of items.slice(i, i + 25)) (requests[table] ??= []).push({ PutRequest: { Item: item } });
      while (Object.keys(requests).length) {
        const out = await fresh.client.send(new BatchWriteItemCommand({ RequestItems: requests }));
        requests = (out.UnprocessedItems ?? {}) as typeof requests;
      }
    }
    const back = await scanRegistry(fresh.client, tables);
    const wrong = [...records].filter(([id, r]) => back.get(id)?.form !== itemForm(wireItem(r.item)));
    if (wrong.length || back.size !== records.size) throw new Error(`the rebuilt registry does not read back as written (${describeRecords(wrong.map(([id]) => id))})`);
    return fresh;
  } catch (error) {
    await fresh.close();
    throw error;
  }
}

/**
 * Opens the embedded registry under `dataDir` after checking it against its journal: as it is when
 * they agree, rebuilt from the journal when the registry lost records, refused (with the files
 * named and the way out) when neither can be trusted.
 */
export async function openLocalRegistry(opts: { dataDir: string; tableName: string; print: (line: string) => void }): Promise<LocalRegistry> {
  const dir = join(opts.dataDir, REGISTRY_DIR);
  const journalPath = join(opts.dataDir, JOURNAL_FILE);
  const journal = readJournal(journalPath);
  const tables = new Set([opts.tableName, ...(journal?.tables ?? [])]);
  const present = existsSync(dir) && readdirSync(dir).length > 0;
  const problem = present ? await unreadable(dir) : undefined;

  let db = present && !problem ? await startDynalite(dir) : undefined;
  try {
    const registry = db ? await scanRegistry(db.client, tables) : new Map<string, RegistryRecord>();
    let records: Map<string, StoredRecord> = registry;
    if (!journal) {
      if (problem) {
        throw new Error(
          `The registry in ${dir} cannot be read (${problem}) and there is no journal (${journalPath}) to rebuild it from. ` +
            `Restore ${dir} from a backup; or, to start with an empty registry, move it aside (the organization keeps its accounts, which drift checks then report as unmanaged).`,
        );
      }
      // A folder from before the journal existed: what the registry holds is all there is to go on.
      if (registry.size) opts.print(`[registry] started a journal of the ${describeRecords([...registry.keys()])} in ${dir}: ${journalPath}`);
    } else {
      const { lost, ahead, merged } = compareWithJournal(journal, registry);
      records = merged;
      if (problem || lost.length) {
        const what = problem ? `cannot be read (${problem})` : present ? `has lost the latest writes to ${describeRecords(lost)}` : `is missing (it held ${describeRecords(lost)})`;
        if (journal.damage || ahead.length > 1) {
          const journalWhat = journal.damage ?? `it lacks the latest writes to ${describeRecords(ahead)} that the registry holds`;
          throw new Error(
            `The registry in ${dir} ${what}, and its journal ${journalPath} is damaged too (${journalWhat}), so neither holds every record; nothing was changed. ` +
              `Restore the data folder ${opts.dataDir} from a backup; or, to go on with what the registry still holds, move ${journalPath} aside and start again ` +
              `(records it lost are gone for Switchyard; their accounts stay in the organization).`,
          );
        }
        await db?.close();
        db = undefined;
        const aside = present ? `${dir}.damaged-${stamp()}` : undefined;
        if (aside) renameSync(dir, aside);
        else rmSync(dir, { recursive: true, force: true });
        db = await rebuild(dir, merged, tables);
        opts.print(
          `[registry] ${dir} ${what}; rebuilt it from ${journalPath} with every record as last written (${describeRecords([...merged.keys()])})` +
            (aside ? `; the damaged copy is in ${aside}` : ''),
        );
      } else if (journal.damage || ahead.length > 1) {
        opts.print(`[registry] the journal ${journalPath} was behind the registry (${journal.damage ?? describeRecords(ahead)}); rewrote it from the registry in ${dir}`);
      }
    }
    db ??= await startDynalite(dir);
    await ensureRegistryTable(db.client, opts.tableName);
    const live = new RegistryJournal(journalPath, KEY_ATTRIBUTES);
    await live.reset(records.values(), tables);
    live.attach(db.client);
    const open = db;
    return {
      client: open.client,
      close: async () => {
        await open.close();
        await live.close();
      },
    };
  } catch (error) {
    await db?.close();
    throw error;
  }
}

/**
 * A missing organization file would start a new, empty simulated organization under environments
 * whose accounts were in the old one: refused, as a damaged file is (sim-org/state.ts names those).
 */
export async function checkOrganizationFile(dataDir: string, environments: Pick<EnvironmentStore, 'listAll'>): Promise<void> {
  const file = organizationFilePath(dataDir);
  if (existsSync(file)) return;
  const withAccounts = (await environments.listAll()).filter((env) => env.accountId);
  if (!withAccounts.length) return;
  const ids = withAccounts.slice(0, 5).map((env) => `${env.id} → ${env.accountId}`).join(', ') + (withAccounts.length > 5 ? `, … ${withAccounts.length - 5} more` : '');
  throw new Error(
    `The simulated organization ${file} is missing, but the registry holds ${withAccounts.length} environment(s) whose accounts were in it (${ids}). ` +
      `Restore ${file} from a backup; if these environments were made against real AWS, start with --aws; ` +
      `or, to start over with a new organization, move the whole data folder ${dataDir} aside.`,
  );
}
