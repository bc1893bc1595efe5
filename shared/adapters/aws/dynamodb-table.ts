import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { InvalidInputError } from '../../domain/errors';
import type { Page } from '../../ports';
import { errorName, mapUnlistedAwsError, rejectedError, retryableError } from './errors';

/**
 * The registry: one DynamoDB table holding every store's items (environments, idempotency keys,
 * creation slots, deliveries, drift reports, rejections, the organization index, grant patterns, the closing window), told apart by their key prefix. What the
 * stores share lives here: the table, its keys, error mapping and page cursors.
 */

export function createDynamoDocumentClient(config: Partial<DynamoDBClientConfig> = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ retryMode: 'adaptive', maxAttempts: 5, ...config });
  // Optional Environment fields are often present-but-undefined after a spread; DynamoDB rejects those.
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** The registry table as the deployment template declares it (minus its name): keep the two identical. */
export const REGISTRY_TABLE_DEFINITION = {
  BillingMode: 'PAY_PER_REQUEST',
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'gsi1pk', AttributeType: 'S' },
    { AttributeName: 'gsi1sk', AttributeType: 'S' },
    { AttributeName: 'emailKey', AttributeType: 'S' },
    { AttributeName: 'activePk', AttributeType: 'S' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'byCreated',
      KeySchema: [
        { AttributeName: 'gsi1pk', KeyType: 'HASH' },
        { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
    {
      IndexName: 'byEmail',
      KeySchema: [{ AttributeName: 'emailKey', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'ALL' },
    },
    {
      IndexName: 'byActive',
      KeySchema: [
        { AttributeName: 'activePk', KeyType: 'HASH' },
        { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
} satisfies Omit<CreateTableCommandInput, 'TableName'>;

/** Creates the registry table when it is missing and waits until it is ACTIVE (local runtime, tests). */
export async function ensureRegistryTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') throw mapDynamoError('DescribeTable', error);
    try {
      await client.send(new CreateTableCommand({ TableName: tableName, ...REGISTRY_TABLE_DEFINITION }));
    } catch (createError) {
      // A second process got there first; waiting below covers both.
      if (errorName(createError) !== 'ResourceInUseException') throw mapDynamoError('CreateTable', createError);
    }
  }
  // The waiter's defaults poll every 20 s; a local table is ready in milliseconds.
  await waitUntilTableExists({ client, minDelay: 1, maxDelay: 5, maxWaitTime: 300 }, { TableName: tableName });
}

/** Named in every refusal this adapter reports, so the timeline says which service answered. */
const DYNAMODB = { service: 'DynamoDB' } as const;
const RETRYABLE_NAMES = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'InternalServerError']);

export function mapDynamoError(operation: string, error: unknown): Error {
  const name = errorName(error);
  if (RETRYABLE_NAMES.has(name)) return retryableError(operation, error, DYNAMODB);
  if (name === 'ResourceNotFoundException') return rejectedError(operation, error, DYNAMODB);
  return mapUnlistedAwsError(operation, error, DYNAMODB);
}

/** Each store's items, by the start of their `pk`; the stored items keep these, so they never change. */
export const KEY_PREFIX = {
  environment: 'ENV#',
  idempotencyKey: 'IDEM#',
  claim: 'ONCE#',
  delivery: 'DELIVERY#',
  rejection: 'REJ#',
  driftReport: 'DRIFT#',
  organizationAccount: 'ORGACCT#',
} as const;

/** The `gsi1pk` of the items listed newest first on byCreated. */
export const LISTED = { environments: 'ENV', rejections: 'REJ', driftReports: 'DRIFT' } as const;

/** Attributes that place an item in the table and its indexes, not part of any record. */
export const KEY_ATTRIBUTES = ['pk', 'gsi1pk', 'gsi1sk', 'emailKey', 'activePk'] as const;

/** How long idempotency keys and claims hold: TTL deletes them (lazily) from `expiresAt`. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export type Item = Record<string, unknown>;

export function stripKeys(item: Item): Item {
  const record: Item = { ...item };
  for (const key of KEY_ATTRIBUTES) delete record[key];
  return record;
}

/** A kind of item listed newest first: its key prefix and its `gsi1pk`. */
export interface Listed {
  prefix: string;
  all: string;
}

const MAX_PAGE = 1000;
/** Environment ids are at most 50 characters and rejection ids (EventBridge event ids) at most 128. */
const MAX_KEY_ID_LENGTH = 128;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

function byCreatedKey(item: Item): Item {
  return { pk: item.pk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk };
}

export function encodeCursor(key: Item): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, kind: Listed): Item {
  const invalid = () => new InvalidInputError('The cursor is not one this API returned; start again without it.', [{ field: 'cursor', message: 'is not a valid page cursor' }]);
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!key || typeof key !== 'object' || Array.isArray(key)) throw invalid();
  const { pk, gsi1pk, gsi1sk, ...rest } = key as Item;
  if (Object.keys(rest).length !== 0 || typeof pk !== 'string' || !pk.startsWith(kind.prefix) || gsi1pk !== kind.all || typeof gsi1sk !== 'string') throw invalid();
  // Exactly the key of an item this kind writes (its id, then `<created>#<id>`), so no made-up key
  // reaches DynamoDB, which would refuse an oversized one with a ValidationException (a 502).
  const id = pk.slice(kind.prefix.length);
  const created = gsi1sk.slice(0, -(id.length + 1));
  const valid = id.length > 0 && id.length <= MAX_KEY_ID_LENGTH && gsi1sk === `${created}#${id}` && ISO_INSTANT.test(created);
  if (!valid) throw invalid();
  return { pk, gsi1pk, gsi1sk };
}

/** The table and the few ways the stores use it; every DynamoDB error comes out mapped. */
export class RegistryTable {
  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly name: string,
  ) {}

  async get(pk: string): Promise<Item | undefined> {
    const out = await this.send('GetItem', () => this.doc.send(new GetCommand({ TableName: this.name, Key: { pk }, ConsistentRead: true })));
    return out.Item;
  }

  async put(item: Item): Promise<void> {
    await this.send('PutItem', () => this.doc.send(new PutCommand({ TableName: this.name, Item: item })));
  }

  /** Deletes an item; returns what it held (undefined when there was none). */
  async remove(pk: string): Promise<Item | undefined> {
    const out = await this.send('DeleteItem', () => this.doc.send(new DeleteCommand({ TableName: this.name, Key: { pk }, ReturnValues: 'ALL_OLD' })));
    return out.Attributes;
  }

  /** A put under a condition; false when the condition did not hold. */
  async putIf(item: Item, condition: { expression: string; names?: Record<string, string>; values?: Item }): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.name,
          Item: item,
          ConditionExpression: condition.expression,
          ...(condition.names ? { ExpressionAttributeNames: condition.names } : {}),
          ...(condition.values ? { ExpressionAttributeValues: condition.values } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return false;
      throw mapDynamoError('PutItem', error);
    }
  }

  /** Every page of a query on an index. */
  async queryAll(query: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    return this.send('Query', async () => {
      const items: Item[] = [];
      for await (const page of paginateQuery({ client: this.doc }, { TableName: this.name, ...query })) items.push(...(page.Items ?? []));
      return items;
    });
  }

  /** One page of a kind's items, newest first on byCreated, with an opaque cursor to the next. */
  /**
   * `status`, when given, keeps only items of that status: DynamoDB filters after reading, so a page
   * may hold fewer than `limit` and still come with a cursor to the next.
   */
  async newestFirst(kind: Listed, opts: { limit: number; cursor?: string; status?: string }): Promise<Page<Item>> {
    if (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > MAX_PAGE) {
      throw new InvalidInputError(`limit must be a whole number from 1 to ${MAX_PAGE}.`, [{ field: 'limit', message: `must be 1 to ${MAX_PAGE}` }]);
    }
    const start = opts.cursor ? decodeCursor(opts.cursor, kind) : undefined;
    // One extra item tells whether another page exists, so the last page never comes with a cursor to an empty one.
    const out = await this.send('Query', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.name,
          IndexName: 'byCreated',
          KeyConditionExpression: 'gsi1pk = :all',
          ExpressionAttributeValues: { ':all': kind.all },
          ScanIndexForward: false,
          Limit: opts.limit + 1,
          ...(start ? { ExclusiveStartKey: start } : {}),
          ...(opts.status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':all': kind.all, ':status': opts.status } } : {}),
        }),
      ),
    );
    const items = out.Items ?? [];
    if (items.length > opts.limit) {
      const page = items.slice(0, opts.limit);
      return { items: page, cursor: encodeCursor(byCreatedKey(page[page.length - 1]!)) };
    }
    // Fewer than asked yet more to come: DynamoDB stopped at its 1 MB page size.
    return { items, ...(out.LastEvaluatedKey ? { cursor: encodeCursor(byCreatedKey(out.LastEvaluatedKey)) } : {}) };
  }

  private async send<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw mapDynamoError(operation, error);
    }
  }
}
