import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DriftReport } from '../../domain/drift';
import { environmentFromRecord, environmentRecord, isFinal, type Environment } from '../../domain/environment';
import { InvalidInputError, NotFoundError, RetryableAwsError } from '../../domain/errors';
import { systemClock, type Clock, type DeliveryKey, type DeliveryState, type Page, type Registry, type Rejection } from '../../ports';
import { errorName, mapUnlistedAwsError, rejectedError, retryableError } from './errors';

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

const RETRYABLE_NAMES = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'InternalServerError']);

export function mapDynamoError(operation: string, error: unknown): Error {
  const name = errorName(error);
  if (RETRYABLE_NAMES.has(name)) return retryableError(operation, error);
  if (name === 'ResourceNotFoundException') return rejectedError(operation, error, '(is the registry table deployed and named in REGISTRY_TABLE?)');
  return mapUnlistedAwsError(operation, error);
}

const ENV_PREFIX = 'ENV#';
const IDEM_PREFIX = 'IDEM#';
const ONCE_PREFIX = 'ONCE#';
const DELIVERY_PREFIX = 'DELIVERY#';
const REJECTION_PREFIX = 'REJ#';
const ALL_ENVIRONMENTS = 'ENV';
const ALL_REJECTIONS = 'REJ';
const ENVIRONMENTS = { prefix: ENV_PREFIX, all: ALL_ENVIRONMENTS };
const REJECTIONS = { prefix: REJECTION_PREFIX, all: ALL_REJECTIONS };
const ACTIVE = 'ACTIVE';
const CREATION_SLOTS = 'SLOTS#create-account';
const CREATION_DURATIONS = 'STATS#creation-seconds';
const DURATIONS_KEPT = 20;
const DRIFT_LATEST = 'DRIFT#LATEST';
const DRIFT_PREFIX = 'DRIFT#';
const ALL_DRIFT_REPORTS = 'DRIFT';
/** Reports older than this go on their own; the latest one stays. */
const DRIFT_HISTORY_TTL_SECONDS = 90 * 24 * 60 * 60;
const KEY_ATTRIBUTES = ['pk', 'gsi1pk', 'gsi1sk', 'emailKey', 'activePk'] as const;
const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
const UPDATE_ATTEMPTS = 8;
const MAX_PAGE = 1000;

type Key = Record<string, unknown>;

function toItem(env: Environment): Record<string, unknown> {
  return {
    ...environmentRecord(env),
    pk: ENV_PREFIX + env.id,
    gsi1pk: ALL_ENVIRONMENTS,
    gsi1sk: `${env.createdAt}#${env.id}`,
    emailKey: env.email.toLowerCase(),
    // Sparse index: a whole-item put without activePk drops the environment from byActive.
    ...(isFinal(env.status) ? {} : { activePk: ACTIVE }),
  };
}

function stripKeys(item: Record<string, unknown>): Record<string, unknown> {
  const record: Record<string, unknown> = { ...item };
  for (const key of KEY_ATTRIBUTES) delete record[key];
  return record;
}

/** Every environment read goes through here: the one place a record from an earlier release is brought up to date and checked. */
function fromItem(item: Record<string, unknown>): Environment {
  return environmentFromRecord(stripKeys(item));
}

function byCreatedKey(item: Record<string, unknown>): Key {
  return { pk: item.pk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk };
}

/** Environment ids are at most 50 characters and rejection ids (EventBridge event ids) at most 128. */
const MAX_KEY_ID_LENGTH = 128;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** One record per message and channel; kind and channel are from fixed sets without `#`, so no two keys collide. */
function deliveryPk(key: DeliveryKey): string {
  return `${DELIVERY_PREFIX}${key.subject}#${key.kind}#${key.channel}`;
}

function encodeCursor(key: Key): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, kind: { prefix: string; all: string }): Key {
  const invalid = () => new InvalidInputError('The cursor is not one this API returned; start again without it.', [{ field: 'cursor', message: 'is not a valid page cursor' }]);
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!key || typeof key !== 'object' || Array.isArray(key)) throw invalid();
  const { pk, gsi1pk, gsi1sk, ...rest } = key as Record<string, unknown>;
  if (Object.keys(rest).length !== 0 || typeof pk !== 'string' || !pk.startsWith(kind.prefix) || gsi1pk !== kind.all || typeof gsi1sk !== 'string') throw invalid();
  // Exactly the key of an item this kind writes (its id, then `<created>#<id>`), so no made-up key
  // reaches DynamoDB, which would refuse an oversized one with a ValidationException (a 502).
  const id = pk.slice(kind.prefix.length);
  const created = gsi1sk.slice(0, -(id.length + 1));
  const valid = id.length > 0 && id.length <= MAX_KEY_ID_LENGTH && gsi1sk === `${created}#${id}` && ISO_INSTANT.test(created);
  if (!valid) throw invalid();
  return { pk, gsi1pk, gsi1sk };
}

/** Newest first, then by id, so equal timestamps still order the same way every time. */
function newestFirst(a: Environment, b: Environment): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The registry in one DynamoDB table (see REGISTRY_TABLE_DEFINITION). Every environment write is a
 * whole-item put guarded by a condition, so two Lambda steps racing on one environment never lose a
 * change: the loser re-reads and re-applies.
 */
export class DynamoRegistry implements Registry {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async create(env: Environment): Promise<{ created: boolean; environment: Environment }> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: toItem(env), ConditionExpression: 'attribute_not_exists(pk)' }));
      return { created: true, environment: env };
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw mapDynamoError('PutItem', error);
    }
    const stored = await this.get(env.id);
    if (!stored) throw new RetryableAwsError(`Environment ${env.id} was being written and removed concurrently.`, 'ConditionalCheckFailedException');
    return { created: false, environment: stored };
  }

  async get(id: string): Promise<Environment | undefined> {
    const item = await this.getItem(ENV_PREFIX + id);
    return item ? fromItem(item) : undefined;
  }

  async update(id: string, change: (current: Environment) => Environment | undefined): Promise<Environment> {
    for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
      const current = await this.get(id);
      if (!current) throw new NotFoundError(`Environment ${id} does not exist.`);
      const changed = change(current);
      if (!changed) return current;
      // The id and version are the registry's to keep: a change cannot move or rewind the record.
      const next: Environment = { ...changed, id: current.id, version: current.version + 1 };
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: toItem(next),
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': current.version },
          }),
        );
        return next;
      } catch (error) {
        if (errorName(error) !== 'ConditionalCheckFailedException') throw mapDynamoError('PutItem', error);
      }
      // Spread the writers apart a little so the same two do not collide again on the next round.
      await sleep(Math.random() * 5 * attempt);
    }
    throw new RetryableAwsError(`Environment ${id} kept changing underneath ${UPDATE_ATTEMPTS} attempts to update it.`, 'ConditionalCheckFailedException');
  }

  async list(opts: { limit: number; cursor?: string }): Promise<Page<Environment>> {
    const page = await this.newestFirstPage(ENVIRONMENTS, opts);
    return { ...page, items: page.items.map(fromItem) };
  }

  async recordRejection(rejection: Rejection): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...rejection, pk: REJECTION_PREFIX + rejection.id, gsi1pk: ALL_REJECTIONS, gsi1sk: `${rejection.at}#${rejection.id}` },
          // A redelivered event is the same rejection: keep the first record.
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw mapDynamoError('PutItem', error);
    }
  }

  async listRejections(opts: { limit: number; cursor?: string }): Promise<Page<Rejection>> {
    const page = await this.newestFirstPage(REJECTIONS, opts);
    return { ...page, items: page.items.map((item) => stripKeys(item) as unknown as Rejection) };
  }

  private async newestFirstPage(kind: { prefix: string; all: string }, opts: { limit: number; cursor?: string }): Promise<Page<Record<string, unknown>>> {
    if (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > MAX_PAGE) {
      throw new InvalidInputError(`limit must be a whole number from 1 to ${MAX_PAGE}.`, [{ field: 'limit', message: `must be 1 to ${MAX_PAGE}` }]);
    }
    const start = opts.cursor ? decodeCursor(opts.cursor, kind) : undefined;
    // One extra item tells whether another page exists, so the last page never comes with a cursor to an empty one.
    const out = await this.send('Query', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byCreated',
          KeyConditionExpression: 'gsi1pk = :all',
          ExpressionAttributeValues: { ':all': kind.all },
          ScanIndexForward: false,
          Limit: opts.limit + 1,
          ...(start ? { ExclusiveStartKey: start } : {}),
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

  async listActive(): Promise<Environment[]> {
    return (await this.queryAll({ IndexName: 'byActive', KeyConditionExpression: 'activePk = :active', ExpressionAttributeValues: { ':active': ACTIVE } })).map(fromItem);
  }

  async findByEmail(email: string): Promise<Environment | undefined> {
    const items = await this.queryAll({ IndexName: 'byEmail', KeyConditionExpression: 'emailKey = :email', ExpressionAttributeValues: { ':email': email.toLowerCase() } });
    const matches = items.map(fromItem).sort(newestFirst);
    return matches.find((env) => env.status !== 'FAILED') ?? matches[0];
  }

  async acquireCreationSlot(holder: string, opts: { limit: number; now: Date; staleAfterSeconds: number }): Promise<{ acquired: boolean; inUse: number }> {
    const staleBefore = opts.now.getTime() - opts.staleAfterSeconds * 1000;
    let inUse = 0;
    for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
      const item = await this.getItem(CREATION_SLOTS);
      const holders = { ...((item?.holders as Record<string, string> | undefined) ?? {}) };
      if (holders[holder]) return { acquired: true, inUse: Object.keys(holders).length };
      for (const [id, since] of Object.entries(holders)) if (Date.parse(since) < staleBefore) delete holders[id];
      inUse = Object.keys(holders).length;
      if (inUse >= opts.limit) return { acquired: false, inUse };
      holders[holder] = opts.now.toISOString();
      if (await this.putVersioned({ pk: CREATION_SLOTS, holders }, item?.version as number | undefined)) return { acquired: true, inUse: inUse + 1 };
      await sleep(Math.random() * 10 * attempt);
    }
    // Everyone is grabbing the same item at once: come back at the next poll rather than fail.
    return { acquired: false, inUse };
  }

  async releaseCreationSlot(holder: string): Promise<void> {
    for (let attempt = 1; attempt <= UPDATE_ATTEMPTS * 2; attempt++) {
      const item = await this.getItem(CREATION_SLOTS);
      const holders = { ...((item?.holders as Record<string, string> | undefined) ?? {}) };
      if (!holders[holder]) return;
      delete holders[holder];
      if (await this.putVersioned({ pk: CREATION_SLOTS, holders }, item!.version as number)) return;
      await sleep(Math.random() * 10 * attempt);
    }
    throw new RetryableAwsError(`The creation slots kept changing underneath ${UPDATE_ATTEMPTS * 2} attempts to release ${holder}'s.`, 'ConditionalCheckFailedException');
  }

  /**
   * Writes a shared item (the creation slots, the creation times) only if it is still at the version
   * read, so concurrent writers never lose each other's change; false when another got there first.
   */
  private async putVersioned(item: Record<string, unknown> & { pk: string }, version: number | undefined): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...item, version: (version ?? 0) + 1 },
          ConditionExpression: version === undefined ? 'attribute_not_exists(pk)' : 'version = :version',
          ...(version === undefined ? {} : { ExpressionAttributeValues: { ':version': version } }),
        }),
      );
      return true;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return false;
      throw mapDynamoError('PutItem', error);
    }
  }

  async creationDurations(): Promise<number[]> {
    const item = await this.getItem(CREATION_DURATIONS);
    return Array.isArray(item?.recent) ? (item.recent as unknown[]).filter((n): n is number => typeof n === 'number') : [];
  }

  async recordCreationDuration(seconds: number): Promise<void> {
    for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
      const item = await this.getItem(CREATION_DURATIONS);
      const recent = [...(Array.isArray(item?.recent) ? (item.recent as number[]) : []), Math.round(seconds * 10) / 10].slice(-DURATIONS_KEPT);
      if (await this.putVersioned({ pk: CREATION_DURATIONS, recent }, item?.version as number | undefined)) return;
      await sleep(Math.random() * 10 * attempt);
    }
    // A statistic: losing one sample to contention is fine.
  }

  async listAll(): Promise<Environment[]> {
    const items = await this.queryAll({ IndexName: 'byCreated', KeyConditionExpression: 'gsi1pk = :all', ExpressionAttributeValues: { ':all': ALL_ENVIRONMENTS } });
    return items.map(fromItem);
  }

  async latestDriftReport(): Promise<DriftReport | undefined> {
    const item = await this.getItem(DRIFT_LATEST);
    return item ? (item.report as DriftReport) : undefined;
  }

  async saveDriftReport(report: DriftReport, previousId: string | undefined): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: DRIFT_LATEST, reportId: report.id, report },
          ConditionExpression: previousId === undefined ? 'attribute_not_exists(pk)' : 'reportId = :previous',
          ...(previousId === undefined ? {} : { ExpressionAttributeValues: { ':previous': previousId } }),
        }),
      );
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return false;
      throw mapDynamoError('PutItem', error);
    }
    // The history copy: listed newest first on byCreated, gone after 90 days.
    const expiresAt = Math.floor(this.clock.now().getTime() / 1000) + DRIFT_HISTORY_TTL_SECONDS;
    await this.send('PutItem', () =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `${DRIFT_PREFIX}${report.checkedAt}#${report.id}`, gsi1pk: ALL_DRIFT_REPORTS, gsi1sk: `${report.checkedAt}#${report.id}`, report, expiresAt },
        }),
      ),
    );
    return true;
  }

  async claimIdempotencyKey(key: string, binding: { id: string; requestHash: string }): Promise<{ id: string; requestHash: string }> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: IDEM_PREFIX + key, id: binding.id, requestHash: binding.requestHash, expiresAt: now + IDEMPOTENCY_TTL_SECONDS },
          // TTL deletes lazily (hours later), so an expired binding must not block a new one meanwhile.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return { id: binding.id, requestHash: binding.requestHash };
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw mapDynamoError('PutItem', error);
    }
    const stored = await this.getItem(IDEM_PREFIX + key);
    if (!stored) throw new RetryableAwsError(`Idempotency key binding vanished while being read.`, 'ConditionalCheckFailedException');
    return { id: String(stored.id), requestHash: String(stored.requestHash) };
  }

  async claimOnce(key: string): Promise<boolean> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: ONCE_PREFIX + key, expiresAt: now + IDEMPOTENCY_TTL_SECONDS },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return false;
      throw mapDynamoError('PutItem', error);
    }
  }

  async releaseClaim(key: string): Promise<void> {
    // Expired rather than deleted: the next claim takes an expired one, and the function needs no DeleteItem.
    await this.send('PutItem', () => this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: ONCE_PREFIX + key, expiresAt: 0 } })));
  }

  async claimDelivery(key: DeliveryKey, now: Date): Promise<{ claimed: true } | { claimed: false; state: DeliveryState }> {
    const pk = deliveryPk(key);
    const claim = { pk, ...key, state: 'sending', claimedAt: now.toISOString() };
    for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
      if (await this.putIf(claim, 'attribute_not_exists(pk)')) return { claimed: true };
      const held = await this.getItem(pk);
      if (held?.state === 'sending' || held?.state === 'delivered') return { claimed: false, state: held.state };
      // Released by a send that sent nothing: claimable again, by exactly one of those asking.
      if (held && (await this.putIf(claim, '#state = :released', { ':released': 'released' }))) return { claimed: true };
    }
    throw new RetryableAwsError(`The delivery record ${pk} kept changing underneath ${UPDATE_ATTEMPTS} attempts to claim it.`, 'ConditionalCheckFailedException');
  }

  async markDelivered(key: DeliveryKey, now: Date): Promise<void> {
    await this.send('PutItem', () =>
      this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: deliveryPk(key), ...key, state: 'delivered', deliveredAt: now.toISOString() } })),
    );
  }

  async releaseDelivery(key: DeliveryKey): Promise<void> {
    // Marked released rather than deleted (the notifying functions need no DeleteItem); a delivered record is never released.
    await this.putIf({ pk: deliveryPk(key), ...key, state: 'released' }, '#state = :sending', { ':sending': 'sending' });
  }

  /** A put under a condition on the item's `state` (or its absence); false when the condition did not hold. */
  private async putIf(item: Record<string, unknown>, condition: string, values?: Record<string, unknown>): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: condition,
          ...(values ? { ExpressionAttributeNames: { '#state': 'state' }, ExpressionAttributeValues: values } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return false;
      throw mapDynamoError('PutItem', error);
    }
  }

  private async getItem(pk: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.send('GetItem', () => this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk }, ConsistentRead: true })));
    return out.Item;
  }

  private async queryAll(query: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    return this.send('Query', async () => {
      const items: Record<string, unknown>[] = [];
      for await (const page of paginateQuery({ client: this.doc }, { TableName: this.tableName, ...query })) items.push(...(page.Items ?? []));
      return items;
    });
  }

  private async send<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw mapDynamoError(operation, error);
    }
  }
}
