import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { GetItemCommand, paginateScan, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { replaceFileDurably } from '../shared/adapters/local/durable-file';

/**
 * Every write to the embedded registry, appended to a file beside it and flushed to disk before the
 * write counts as done. LevelDB can lose its latest writes (a log cut short, a damaged manifest) and
 * then opens an older registry that looks whole; this journal is what start-up compares the registry
 * against and rebuilds it from (state-guard.ts), so it must not share the registry's files.
 *
 * The file is lines of `<crc32 hex> <json>`: a header giving how many records the snapshot after it
 * holds, that snapshot (one line per record), then every write since, in order. A line cut short
 * by a crash is the one write that was never acknowledged; a bad line before a good one is damage.
 * Start-up rewrites the file as a snapshot, and so does the runtime once the writes outgrow it.
 */

export type Item = Record<string, AttributeValue>;

/** One record as start-up and the journal see it: where it lives and what it holds. */
export interface StoredRecord {
  table: string;
  item: Item;
}

/** What the journal says about one record, from its lines in order. */
export interface JournalEntry {
  table: string;
  /** The item as last written; undefined when its last write deleted it. */
  latest?: Item;
  latestForm?: string;
  /** Digests (see formDigest) of every form the record had before the latest one. */
  earlier: Set<string>;
}

export interface JournalContents {
  /** Keyed by recordId. */
  entries: Map<string, JournalEntry>;
  tables: Set<string>;
  /** What is wrong with the file beyond a torn last write; undefined when nothing is. */
  damage?: string;
  bytes: number;
}

interface Header {
  journal: typeof JOURNAL_KIND;
  format: 1;
  records: number;
}

type Line = { t: string; k: string; i: WireItem } | { t: string; k: string; d: 1 };

const JOURNAL_KIND = 'switchyard-registry';
/** Writes that change items; each is recorded once it succeeded, one at a time. */
const RECORDED_WRITES = new Set(['PutItemCommand', 'DeleteItemCommand', 'UpdateItemCommand']);
/** Writes this journal does not record: refused rather than let a change bypass it. */
const UNRECORDED_WRITES = new Set(['BatchWriteItemCommand', 'TransactWriteItemsCommand', 'ExecuteStatementCommand', 'BatchExecuteStatementCommand', 'ExecuteTransactionCommand']);
/** Appended writes beyond this (and beyond twice the last snapshot) are folded into a new snapshot. */
const COMPACT_AFTER_BYTES = 8 * 1024 * 1024;

// ---- Item forms ---------------------------------------------------------------------------------

type WireValue = Record<string, unknown>;
type WireItem = Record<string, WireValue>;

/** An attribute value as JSON can hold it: binary as base64, as DynamoDB's own wire format has it. */
function toWire(value: AttributeValue): WireValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: wireItem(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toWire) };
  return { ...value } as WireValue;
}

function fromWire(value: WireValue): AttributeValue {
  if (typeof value.B === 'string') return { B: Buffer.from(value.B, 'base64') };
  if (Array.isArray(value.BS)) return { BS: (value.BS as string[]).map((b) => Buffer.from(b, 'base64')) };
  if (value.M && typeof value.M === 'object') return { M: itemFromWire(value.M as WireItem) };
  if (Array.isArray(value.L)) return { L: (value.L as WireValue[]).map(fromWire) };
  return value as unknown as AttributeValue;
}

export function wireItem(item: Item): WireItem {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, toWire(value)]));
}

export function itemFromWire(item: WireItem): Item {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, fromWire(value)]));
}

/** DynamoDB stores numbers in a normal form (dynalite: `1e-7` becomes `0.0000001`); every number here is a JS number. */
const number = (n: string) => String(Number(n));

function canonicalValue(value: WireValue): unknown {
  const [type, v] = Object.entries(value)[0] ?? [];
  switch (type) {
    case 'N':
      return { N: number(v as string) };
    case 'NS':
      return { NS: (v as string[]).map(number).sort() };
    case 'SS':
    case 'BS':
      return { [type]: [...(v as string[])].sort() };
    case 'M':
      return { M: canonicalMap(v as WireItem) };
    case 'L':
      return { L: (v as WireValue[]).map(canonicalValue) };
    default:
      return value;
  }
}

function canonicalMap(item: WireItem): Record<string, unknown> {
  return Object.fromEntries(Object.keys(item).sort().map((name) => [name, canonicalValue(item[name]!)]));
}

/** One string per item content: equal exactly when DynamoDB would hold the same item. */
export function itemForm(item: WireItem): string {
  return JSON.stringify(canonicalMap(item));
}

export function formDigest(form: string): string {
  return createHash('sha256').update(form).digest('base64url');
}

/** The record an item is: its table and key attributes. */
export function recordId(table: string, item: WireItem, keyAttributes: readonly string[]): string {
  const key: WireItem = {};
  for (const name of keyAttributes) {
    const value = item[name];
    if (!value) throw new Error(`An item written to ${table} has no ${name}: the registry journal cannot tell which record it is.`);
    key[name] = value;
  }
  return `${table} ${itemForm(key)}`;
}

// ---- The file -----------------------------------------------------------------------------------

function encode(value: unknown): string {
  const json = JSON.stringify(value);
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

function decode(line: string): unknown {
  const space = line.indexOf(' ');
  if (space !== 8) return undefined;
  const json = line.slice(9);
  if (crc32(json).toString(16).padStart(8, '0') !== line.slice(0, 8)) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

function isHeader(value: unknown): value is Header {
  const h = value as Header | undefined;
  return h?.journal === JOURNAL_KIND && h.format === 1 && Number.isInteger(h.records) && h.records >= 0;
}

function isLine(value: unknown): value is Line {
  const l = value as Partial<{ t: unknown; k: unknown; i: unknown; d: unknown }> | undefined;
  return typeof l?.t === 'string' && typeof l.k === 'string' && ((l.i !== null && typeof l.i === 'object') || l.d === 1);
}

/** The journal's contents; undefined when there is no file. */
export function readJournal(path: string): JournalContents | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const entries = new Map<string, JournalEntry>();
  const tables = new Set<string>();
  const contents: JournalContents = { entries, tables, bytes: Buffer.byteLength(text) };
  if (!text) return { ...contents, damage: 'it is empty' };

  const lines = text.split('\n');
  // Whatever follows the last line end was being appended when the process stopped.
  lines.pop();
  const decoded = lines.map(decode);
  // Bad lines at the very end are writes that were never flushed, so never acknowledged; one before a good line is damage.
  let end = decoded.length;
  while (end > 0 && decoded[end - 1] === undefined) end--;
  const problems: string[] = [];
  const header = decoded[0];
  if (!isHeader(header)) problems.push('its first line is not a journal header');
  let records = 0;
  for (let n = 1; n < end; n++) {
    const line = decoded[n];
    if (!isLine(line)) {
      problems.push(`line ${n + 1} is damaged`);
      continue;
    }
    records++;
    const id = `${line.t} ${line.k}`;
    tables.add(line.t);
    const entry = entries.get(id) ?? { table: line.t, earlier: new Set<string>() };
    if (entry.latestForm !== undefined) entry.earlier.add(formDigest(entry.latestForm));
    if ('i' in line) {
      entry.latest = itemFromWire(line.i);
      entry.latestForm = itemForm(line.i);
    } else {
      entry.latest = undefined;
      entry.latestForm = undefined;
    }
    entries.set(id, entry);
  }
  if (isHeader(header) && records < header.records) problems.push(`it ends inside its snapshot (${records} of ${header.records} records)`);
  return problems.length ? { ...contents, damage: problems.slice(0, 3).join('; ') } : contents;
}

function snapshotText(records: Iterable<StoredRecord>, keyAttributes: readonly string[]): string {
  const lines: string[] = [];
  for (const { table, item } of records) {
    const wire = wireItem(item);
    lines.push(encode({ t: table, k: recordId(table, wire, keyAttributes).slice(table.length + 1), i: wire } satisfies Line));
  }
  return encode({ journal: JOURNAL_KIND, format: 1, records: lines.length } satisfies Header) + lines.join('');
}

// ---- The live journal ---------------------------------------------------------------------------

/**
 * Records the writes a DynamoDB client sends to the embedded registry. Writes go one at a time: the
 * registry commits, the journal appends and flushes, and only then does the caller hear back; so the
 * journal holds every acknowledged write, and its order is the order the registry took them in.
 */
export class RegistryJournal {
  private handle?: FileHandle;
  private size = 0;
  private snapshotBytes = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private broken?: Error;
  private readonly tables = new Set<string>();
  private client?: DynamoDBClient;

  constructor(
    readonly path: string,
    private readonly keyAttributes: readonly string[],
    /** Appended bytes (beyond twice the last snapshot) that make the next write fold the file into a new snapshot. */
    private readonly compactAfterBytes = COMPACT_AFTER_BYTES,
  ) {}

  /** Starts the file afresh holding exactly these records (after start-up checked them). */
  async reset(records: Iterable<StoredRecord>, tables: Iterable<string>): Promise<void> {
    await this.handle?.close();
    const list = [...records];
    for (const table of [...tables, ...list.map((r) => r.table)]) this.tables.add(table);
    const text = snapshotText(list, this.keyAttributes);
    replaceFileDurably(this.path, `${this.path}.tmp`, text);
    this.snapshotBytes = Buffer.byteLength(text);
    this.size = this.snapshotBytes;
    this.handle = await open(this.path, 'a');
  }

  /** From now on every write `client` sends is recorded before the caller hears it succeeded. */
  attach(client: DynamoDBClient): void {
    this.client = client;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? '';
        if (UNRECORDED_WRITES.has(command)) throw new Error(`${command} is not recorded by the registry journal (${this.path}); write item by item.`);
        if (!RECORDED_WRITES.has(command)) return next(args);
        return this.exclusive(async () => {
          if (this.broken) throw new Error(`The registry journal ${this.path} could not be written (${this.broken.message}); restart Switchyard once the disk has room.`);
          const output = await next(args);
          await this.record(command, args.input as WriteInput);
          return output;
        });
      },
      // After the document client has marshalled the item, so what is recorded is what DynamoDB receives.
      { step: 'build', name: 'switchyardRegistryJournal' },
    );
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle?.close();
    this.handle = undefined;
  }

  private exclusive<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async record(command: string, input: WriteInput): Promise<void> {
    const table = input.TableName;
    let line: Line;
    if (command === 'PutItemCommand') {
      const item = wireItem(input.Item!);
      line = { t: table, k: this.key(table, item), i: item };
    } else {
      const key = wireItem(input.Key!);
      // An update's result is whatever the item now is; nothing else writes while this one is recorded.
      const now = command === 'UpdateItemCommand' ? (await this.client!.send(new GetItemCommand({ TableName: table, Key: input.Key, ConsistentRead: true }))).Item : undefined;
      line = now ? { t: table, k: this.key(table, key), i: wireItem(now) } : { t: table, k: this.key(table, key), d: 1 };
    }
    this.tables.add(table);
    await this.append(encode(line));
    if (this.size - this.snapshotBytes > Math.max(this.compactAfterBytes, this.snapshotBytes * 2)) await this.compact();
  }

  private key(table: string, item: WireItem): string {
    return recordId(table, item, this.keyAttributes).slice(table.length + 1);
  }

  private async append(text: string): Promise<void> {
    if (!this.handle) throw new Error(`The registry journal ${this.path} is not open.`);
    try {
      await this.handle.write(text);
      await this.handle.datasync();
      this.size += Buffer.byteLength(text);
    } catch (error) {
      // A partial line left in place would read as damage before the next good one: cut it off.
      try {
        await this.handle.truncate(this.size);
      } catch {
        this.broken = error as Error;
      }
      throw error;
    }
  }

  /** Folds the appended writes into a new snapshot, read back from the registry while no write runs. */
  private async compact(): Promise<void> {
    const records: StoredRecord[] = [];
    for (const table of this.tables) {
      for await (const page of paginateScan({ client: this.client! }, { TableName: table, ConsistentRead: true })) {
        for (const item of page.Items ?? []) records.push({ table, item });
      }
    }
    await this.reset(records, this.tables);
  }
}

interface WriteInput {
  TableName: string;
  Item?: Item;
  Key?: Item;
}
