/**
 * The one read → decide → conditional put loop every store uses for items other writers share, as
 * DynamoDB sees it: which condition each write carries, what a lost race costs, and when it gives up.
 */
import { ConditionalCheckFailedException, DynamoDBClient, ThrottlingException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { RegistryTable, type Item } from '../../shared/adapters/aws/dynamodb-table';
import { updateVersioned } from '../../shared/adapters/aws/dynamodb-versioned';
import { RetryableAwsError } from '../../shared/domain/errors';

const meta = { $metadata: {} };
const ddb = mockClient(DynamoDBDocumentClient);
const table = new RegistryTable(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), 'switchyard-registry');
const conflict = () => new ConditionalCheckFailedException({ ...meta, message: 'The conditional request failed' });
const giveUp = (): number | string => 'gave up';

beforeEach(() => ddb.reset());

/** Adds one to `count`, as a store's change would. */
const increment = (item: Item | undefined): { write: Item; result: number | string } => ({ write: { count: Number(item?.count ?? 0) + 1 }, result: Number(item?.count ?? 0) + 1 });

function puts() {
  return ddb.commandCalls(PutCommand).map((c) => c.args[0].input);
}

it('creates a missing item at version 1, only if it is still missing', async () => {
  ddb.on(GetCommand).resolves({});
  ddb.on(PutCommand).resolves({});
  expect(await updateVersioned(table, 'X#1', increment, { attempts: 3, exhausted: giveUp })).toBe(1);
  expect(puts()).toEqual([{ TableName: 'switchyard-registry', Item: { pk: 'X#1', count: 1, version: 1 }, ConditionExpression: 'attribute_not_exists(pk)' }]);
  expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { pk: 'X#1' }, ConsistentRead: true });
});

it('writes the next version, only if the item is still at the one read', async () => {
  ddb.on(GetCommand).resolves({ Item: { pk: 'X#1', count: 4, version: 7 } });
  ddb.on(PutCommand).resolves({});
  expect(await updateVersioned(table, 'X#1', increment, { attempts: 3, exhausted: giveUp })).toBe(5);
  expect(puts()).toEqual([
    { TableName: 'switchyard-registry', Item: { pk: 'X#1', count: 5, version: 8 }, ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': 7 } },
  ]);
});

it('takes an item written before it carried a version as version 0, and asks that it still has none', async () => {
  ddb.on(GetCommand).resolves({ Item: { pk: 'X#1', count: 2 } });
  ddb.on(PutCommand).resolves({});
  await updateVersioned(table, 'X#1', increment, { attempts: 3, exhausted: giveUp });
  expect(puts()).toEqual([
    { TableName: 'switchyard-registry', Item: { pk: 'X#1', count: 3, version: 1 }, ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(version)' },
  ]);
});

it('re-reads and decides again after losing a race, building on the winner’s write', async () => {
  ddb
    .on(GetCommand)
    .resolvesOnce({ Item: { pk: 'X#1', count: 1, version: 1 } })
    .resolves({ Item: { pk: 'X#1', count: 2, version: 2 } });
  ddb.on(PutCommand).rejectsOnce(conflict()).resolves({});
  const seen: unknown[] = [];
  const result = await updateVersioned(table, 'X#1', (item) => (seen.push(item?.count), increment(item)), { attempts: 3, exhausted: giveUp });
  expect(result).toBe(3);
  expect(seen).toEqual([1, 2]);
  expect(puts().map((p) => [p.ExpressionAttributeValues, p.Item])).toEqual([
    [{ ':expected': 1 }, { pk: 'X#1', count: 2, version: 2 }],
    [{ ':expected': 2 }, { pk: 'X#1', count: 3, version: 3 }],
  ]);
});

it('writes nothing when the decision is to leave the item as it is', async () => {
  ddb.on(GetCommand).resolves({ Item: { pk: 'X#1', count: 9, version: 3 } });
  expect(await updateVersioned(table, 'X#1', (item) => ({ result: Number(item?.count) }), { attempts: 3, exhausted: giveUp })).toBe(9);
  expect(ddb).not.toHaveReceivedCommand(PutCommand);
});

it('gives up after the rounds it was given, with what `exhausted` says', async () => {
  ddb.on(GetCommand).resolves({ Item: { pk: 'X#1', count: 1, version: 1 } });
  ddb.on(PutCommand).rejects(conflict());
  expect(await updateVersioned(table, 'X#1', increment, { attempts: 4, exhausted: giveUp })).toBe('gave up');
  expect(ddb).toHaveReceivedCommandTimes(GetCommand, 4);
  expect(ddb).toHaveReceivedCommandTimes(PutCommand, 4);
});

it('does not retry an error other than a lost race: DynamoDB throttling comes out as the retryable error', async () => {
  ddb.on(GetCommand).resolves({});
  ddb.on(PutCommand).rejects(new ThrottlingException({ ...meta, message: 'slow down' }));
  await expect(updateVersioned(table, 'X#1', increment, { attempts: 4, exhausted: giveUp })).rejects.toBeInstanceOf(RetryableAwsError);
  expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
});
