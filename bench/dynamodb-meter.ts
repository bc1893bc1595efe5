import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { REGISTRY_TABLE_DEFINITION } from '../shared/adapters/aws/dynamodb-table';

/**
 * Request units the registry would be billed for on DynamoDB on-demand, counted from every command
 * the stores send through the document client in this process. dynalite does not report consumed
 * capacity for queries, so units are worked out here by DynamoDB's published rules: a read is one
 * unit per 4 KB (half for an eventually consistent one, and a query rounds the sum of what it
 * returned), a write one unit per 1 KB plus the same again for every global secondary index the
 * item appears in (all three project ALL). Item size is taken as its JSON length, a little more
 * than DynamoDB counts, so the figure errs high. A conditional write that fails is still charged.
 */

type Item = Record<string, unknown>;

const bench = new AsyncLocalStorage<true>();

/** Runs `work` without metering it: the benchmark's own reads (waiting for READY) are not Switchyard's. */
export function unmetered<T>(work: () => Promise<T>): Promise<T> {
  return bench.run(true, work);
}

export interface DynamoUsage {
  readUnits: number;
  writeUnits: number;
  commands: Record<string, number>;
}

const INDEX_KEYS = REGISTRY_TABLE_DEFINITION.GlobalSecondaryIndexes.map((index) => index.KeySchema.map((k) => k.AttributeName));

const size = (item: Item | undefined) => (item ? Buffer.byteLength(JSON.stringify(item)) : 0);
const indexesHolding = (item: Item | undefined) => (item ? INDEX_KEYS.filter((keys) => keys.every((k) => item[k] !== undefined)).length : 0);
const readUnits = (bytes: number, consistent: boolean) => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
const writeUnits = (item: Item | undefined) => Math.max(1, Math.ceil(size(item) / 1024)) * (1 + indexesHolding(item));

let current: DynamoUsage | undefined;
let installed = false;

function record(name: string, input: Item, output: Item | undefined, failed: boolean): void {
  if (!current || bench.getStore()) return;
  current.commands[name] = (current.commands[name] ?? 0) + 1;
  const consistent = input.ConsistentRead === true;
  switch (name) {
    case 'GetCommand':
      current.readUnits += readUnits(size(output?.Item as Item | undefined), consistent);
      break;
    case 'QueryCommand':
    case 'ScanCommand':
      current.readUnits += readUnits(((output?.Items as Item[] | undefined) ?? []).reduce((sum, item) => sum + size(item), 0), consistent);
      break;
    case 'PutCommand':
      // A refused conditional put is billed for the base table only.
      current.writeUnits += failed ? Math.max(1, Math.ceil(size(input.Item as Item) / 1024)) : writeUnits(input.Item as Item);
      break;
    case 'DeleteCommand':
    case 'UpdateCommand':
      current.writeUnits += writeUnits((output?.Attributes as Item | undefined) ?? (input.Key as Item));
      break;
    case 'BatchWriteCommand':
      for (const requests of Object.values((input.RequestItems as Record<string, Array<{ PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }>>) ?? {})) {
        for (const r of requests) current.writeUnits += writeUnits(r.PutRequest?.Item ?? r.DeleteRequest?.Key);
      }
      break;
    case 'TransactWriteCommand':
      for (const t of (input.TransactItems as Array<Record<string, { Item?: Item; Key?: Item }>>) ?? []) {
        for (const op of Object.values(t)) current.writeUnits += 2 * writeUnits(op.Item ?? op.Key);
      }
      break;
    default:
      // Table management (DescribeTable, CreateTable) and anything new is counted by name only.
      break;
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  const proto = DynamoDBDocumentClient.prototype as unknown as { send: (command: { input: Item }, ...rest: unknown[]) => Promise<Item> };
  const send = proto.send;
  proto.send = async function (this: unknown, command: { input: Item }, ...rest: unknown[]) {
    const name = (command as object).constructor.name;
    try {
      const output = await send.call(this, command, ...rest);
      record(name, command.input, output, false);
      return output;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') record(name, command.input, undefined, true);
      throw error;
    }
  };
}

/** Starts counting afresh; what the stores send from now on is added to the returned usage. */
export function meterDynamo(): DynamoUsage {
  install();
  current = { readUnits: 0, writeUnits: 0, commands: {} };
  return current;
}

export function stopMetering(): void {
  current = undefined;
}
