import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ResourceNotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoEnvironmentStore } from '../../shared/adapters/aws/dynamodb-environment-store';
import { DynamoIdempotencyStore } from '../../shared/adapters/aws/dynamodb-idempotency-store';
import { REGISTRY_TABLE_DEFINITION, createDynamoDocumentClient } from '../../shared/adapters/aws/dynamodb-table';
import { advance, newEnvironment, type Environment } from '../../shared/domain/environment';
import { AwsRequestRejectedError, InvalidInputError, NotFoundError, RetryableAwsError } from '../../shared/domain/errors';
import { parseEnvironmentRequest } from '../../shared/domain/request';

const TABLE = 'switchyard-registry';
const meta = { $metadata: {} };
const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const environments = new DynamoEnvironmentStore(doc, TABLE);
const idempotency = new DynamoIdempotencyStore(doc, TABLE, { now: () => new Date('2026-11-28T09:00:00Z') });

beforeEach(() => ddb.reset());

function env(name: string, at = '2026-11-28T09:00:00Z', email?: string): Environment {
  const request = parseEnvironmentRequest({ name, ou: 'Workloads/Staging', ...(email ? { email } : {}) }, { emailTemplate: 'admin+{slug}@example.com' });
  return newEnvironment(request, { now: new Date(at), source: 'test' });
}

/** What DynamoDB holds for an environment: the record plus its index keys. */
function stored(e: Environment): Record<string, unknown> {
  return { ...e, pk: `ENV#${e.id}`, gsi1pk: 'ENV', gsi1sk: `${e.createdAt}#${e.id}`, emailKey: e.email.toLowerCase(), activePk: 'ACTIVE' };
}

const conflict = () => new ConditionalCheckFailedException({ ...meta, message: 'The conditional request failed' });

describe('table definition', () => {
  it('is keyed by pk alone, on demand, with the three sparse-friendly indexes', () => {
    expect(REGISTRY_TABLE_DEFINITION.BillingMode).toBe('PAY_PER_REQUEST');
    expect(REGISTRY_TABLE_DEFINITION.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(REGISTRY_TABLE_DEFINITION.GlobalSecondaryIndexes.map((i) => [i.IndexName, i.KeySchema.map((k) => `${k.AttributeName}:${k.KeyType}`)])).toEqual([
      ['byCreated', ['gsi1pk:HASH', 'gsi1sk:RANGE']],
      ['byEmail', ['emailKey:HASH']],
      ['byActive', ['activePk:HASH', 'gsi1sk:RANGE']],
    ]);
  });

  it('builds a document client that drops undefined attributes', async () => {
    const doc = createDynamoDocumentClient({ region: 'us-east-1' });
    expect(doc.config.translateConfig?.marshallOptions?.removeUndefinedValues).toBe(true);
    expect(await doc.config.maxAttempts()).toBe(5);
  });
});

describe('create', () => {
  it('writes the environment with its index keys, only if the id is new', async () => {
    ddb.on(PutCommand).resolves({});
    const e = { ...env('Staging', '2026-11-28T09:00:00Z', 'Admin+Staging@Example.com'), accountId: undefined };
    expect(await environments.create(e)).toEqual({ created: true, environment: e });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: expect.objectContaining({
        pk: `ENV#${e.id}`,
        gsi1pk: 'ENV',
        gsi1sk: `2026-11-28T09:00:00.000Z#${e.id}`,
        emailKey: 'admin+staging@example.com',
        activePk: 'ACTIVE',
        name: 'Staging',
        version: 0,
      }),
    });
  });

  it('returns the stored environment when the id is taken', async () => {
    const first = env('Staging');
    const theirs = { ...first, requestedBy: 'ana', version: 2 };
    ddb.on(PutCommand).rejects(conflict());
    ddb.on(GetCommand, { TableName: TABLE, Key: { pk: `ENV#${first.id}` }, ConsistentRead: true }).resolves({ Item: stored(theirs) });
    expect(await environments.create(first)).toEqual({ created: false, environment: theirs });
  });
});

describe('get', () => {
  it('strips the index keys', async () => {
    const e = env('Staging');
    ddb.on(GetCommand).resolves({ Item: stored(e) });
    expect(await environments.get(e.id)).toEqual(e);
  });

  it('answers undefined for an unknown id', async () => {
    ddb.on(GetCommand).resolves({});
    expect(await environments.get('nope-00000000')).toBeUndefined();
  });
});

describe('update', () => {
  const now = new Date('2026-11-28T09:05:00Z');

  it('writes the change with the next version, conditioned on the one it read', async () => {
    const e = { ...env('Staging'), version: 3 };
    ddb.on(GetCommand).resolves({ Item: stored(e) });
    ddb.on(PutCommand).resolves({});
    const updated = await environments.update(e.id, (current) => advance(current, 'CREATING', now, 'creating'));
    expect(updated).toMatchObject({ status: 'CREATING', version: 4, updatedAt: now.toISOString() });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': 3 },
      Item: expect.objectContaining({ status: 'CREATING', version: 4, activePk: 'ACTIVE' }),
    });
  });

  it('drops the environment from the active index once it is final', async () => {
    const e = { ...env('Staging'), status: 'NOTIFYING' as const };
    ddb.on(GetCommand).resolves({ Item: stored(e) });
    ddb.on(PutCommand).resolves({});
    await environments.update(e.id, (current) => advance(current, 'READY', now));
    const item = ddb.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(item.status).toBe('READY');
    expect(item).not.toHaveProperty('activePk');
  });

  it('re-reads and re-applies the change after a concurrent write', async () => {
    const base = env('Staging');
    const v1 = { ...base, version: 1 };
    const v2 = { ...base, version: 2, createRequestId: 'car-abc12345' };
    ddb.on(GetCommand).resolvesOnce({ Item: stored(v1) }).resolves({ Item: stored(v2) });
    ddb.on(PutCommand).rejectsOnce(conflict()).resolves({});
    const updated = await environments.update(base.id, (current) => ({ ...current, accountId: '123456789012' }));
    expect(updated).toMatchObject({ version: 3, accountId: '123456789012', createRequestId: 'car-abc12345' });
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 2);
    const expected = ddb.commandCalls(PutCommand).map((c) => c.args[0].input.ExpressionAttributeValues);
    expect(expected).toEqual([{ ':expected': 1 }, { ':expected': 2 }]);
  });

  it('gives up with a retryable error after eight conflicts in a row', async () => {
    const e = env('Staging');
    ddb.on(GetCommand).resolves({ Item: stored(e) });
    ddb.on(PutCommand).rejects(conflict());
    await expect(environments.update(e.id, (current) => ({ ...current, accountId: '1' }))).rejects.toBeInstanceOf(RetryableAwsError);
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 8);
  });

  it('writes nothing when the change returns undefined', async () => {
    const e = env('Staging');
    ddb.on(GetCommand).resolves({ Item: stored(e) });
    expect(await environments.update(e.id, () => undefined)).toEqual(e);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('throws NotFoundError for an unknown id', async () => {
    ddb.on(GetCommand).resolves({});
    await expect(environments.update('nope-00000000', (c) => c)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('list', () => {
  const envs = ['A', 'B', 'C'].map((n, i) => env(n, `2026-11-2${8 - i}T09:00:00Z`));

  it('queries newest first and hands out a cursor when more remain', async () => {
    ddb.on(QueryCommand).resolves({ Items: envs.map(stored) });
    const page = await environments.list({ limit: 2 });
    expect(page.items.map((e) => e.name)).toEqual(['A', 'B']);
    expect(page.items[0]).toEqual(envs[0]);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { IndexName: 'byCreated', ScanIndexForward: false, Limit: 3 });
    const key = JSON.parse(Buffer.from(page.cursor!, 'base64url').toString());
    expect(key).toEqual({ pk: `ENV#${envs[1]!.id}`, gsi1pk: 'ENV', gsi1sk: `${envs[1]!.createdAt}#${envs[1]!.id}` });

    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [stored(envs[2]!)] });
    const last = await environments.list({ limit: 2, cursor: page.cursor });
    expect(last).toEqual({ items: [envs[2]] });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { ExclusiveStartKey: key });
  });

  it('passes on DynamoDB’s own page break', async () => {
    const lek = { pk: `ENV#${envs[0]!.id}`, gsi1pk: 'ENV', gsi1sk: `${envs[0]!.createdAt}#${envs[0]!.id}` };
    ddb.on(QueryCommand).resolves({ Items: [stored(envs[0]!)], LastEvaluatedKey: lek });
    const page = await environments.list({ limit: 10 });
    expect(JSON.parse(Buffer.from(page.cursor!, 'base64url').toString())).toEqual(lek);
  });

  it.each([
    ['not base64 JSON', 'not-a-cursor'],
    ['an array', Buffer.from('[1,2]').toString('base64url')],
    ['other keys', Buffer.from(JSON.stringify({ pk: 'ENV#x', gsi1pk: 'ENV' })).toString('base64url')],
    ['extra keys', Buffer.from(JSON.stringify({ pk: 'ENV#x', gsi1pk: 'ENV', gsi1sk: 's', more: 1 })).toString('base64url')],
    ['another item type', Buffer.from(JSON.stringify({ pk: 'IDEM#x', gsi1pk: 'ENV', gsi1sk: 's' })).toString('base64url')],
  ])('rejects a cursor that is %s', async (_what, cursor) => {
    const error = await environments.list({ limit: 2, cursor }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).fields.map((f) => f.field)).toEqual(['cursor']);
    expect(ddb).not.toHaveReceivedCommand(QueryCommand);
  });
});

describe('listActive and findByEmail', () => {
  it('reads every page of the active index', async () => {
    const [a, b] = [env('A'), env('B')];
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [stored(a)], LastEvaluatedKey: { pk: `ENV#${a.id}`, activePk: 'ACTIVE', gsi1sk: 'x' } })
      .resolvesOnce({ Items: [stored(b)] });
    expect(await environments.listActive()).toEqual([a, b]);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { IndexName: 'byActive', KeyConditionExpression: 'activePk = :active' });
  });

  it('prefers the newest environment that did not fail', async () => {
    const failed = { ...env('New', '2026-11-28T10:00:00Z', 'admin+x@example.com'), status: 'FAILED' as const };
    const ready = { ...env('Old', '2026-11-27T10:00:00Z', 'admin+x@example.com'), status: 'READY' as const };
    const older = { ...env('Older', '2026-11-26T10:00:00Z', 'admin+x@example.com'), status: 'READY' as const };
    ddb.on(QueryCommand).resolves({ Items: [older, failed, ready].map(stored) });
    expect((await environments.findByEmail('Admin+X@Example.com'))?.name).toBe('Old');
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { IndexName: 'byEmail', ExpressionAttributeValues: { ':email': 'admin+x@example.com' } });
  });

  it('falls back to the newest failed one', async () => {
    const failed = { ...env('New', '2026-11-28T10:00:00Z', 'admin+x@example.com'), status: 'FAILED' as const };
    ddb.on(QueryCommand).resolves({ Items: [stored(failed)] });
    expect((await environments.findByEmail('admin+x@example.com'))?.name).toBe('New');
  });

  it('answers undefined when nobody uses the address', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await environments.findByEmail('nobody@example.com')).toBeUndefined();
  });
});

describe('claimIdempotencyKey', () => {
  it('binds a new key for 24 hours', async () => {
    ddb.on(PutCommand).resolves({});
    expect(await idempotency.claimIdempotencyKey('k1', { id: 'a-1', requestHash: 'h1' })).toEqual({ id: 'a-1', requestHash: 'h1' });
    const expiresAt = Date.parse('2026-11-28T09:00:00Z') / 1000 + 86400;
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: { pk: 'IDEM#k1', id: 'a-1', requestHash: 'h1', expiresAt } });
  });

  it('returns the first binding when the key is taken', async () => {
    ddb.on(PutCommand).rejects(conflict());
    ddb.on(GetCommand, { Key: { pk: 'IDEM#k1' } }).resolves({ Item: { pk: 'IDEM#k1', id: 'first-1', requestHash: 'h0', expiresAt: 1 } });
    expect(await idempotency.claimIdempotencyKey('k1', { id: 'a-1', requestHash: 'h1' })).toEqual({ id: 'first-1', requestHash: 'h0' });
  });
});

describe('error mapping', () => {
  it.each([
    new ProvisionedThroughputExceededException({ ...meta, message: 'hot' }),
    new ThrottlingException({ ...meta, message: 'slow' }),
    new RequestLimitExceeded({ ...meta, message: 'limit' }),
    new InternalServerError({ ...meta, message: 'oops' }),
  ].map((e) => [e.name, e]))('%s is retryable', async (_name, error) => {
    ddb.on(GetCommand).rejects(error);
    await expect(environments.get('a-1')).rejects.toBeInstanceOf(RetryableAwsError);
  });

  it('a missing table is rejected', async () => {
    ddb.on(QueryCommand).rejects(new ResourceNotFoundException({ ...meta, message: 'Requested resource not found' }));
    const error = await environments.listActive().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsRequestRejectedError);
    expect((error as AwsRequestRejectedError).awsError).toBe('ResourceNotFoundException');
  });
});
