import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CreationResult, CreationWakeStore } from '../../ports';
import { errorName } from './errors';
import { mapDynamoError, RegistryTable } from './dynamodb-table';

/** `WAKE#<car- id>`: `{ environmentId, token?, result? }`, gone a day after the creation started (TTL). */
const PREFIX = 'WAKE#';
const TTL_SECONDS = 24 * 60 * 60;

export class DynamoCreationWakeStore implements CreationWakeStore {
  private readonly table: RegistryTable;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.table = new RegistryTable(doc, tableName);
  }

  async expect(requestId: string, environmentId: string, now: Date): Promise<void> {
    // Kept if there already: a result that came first stays.
    await this.update('UpdateItem', requestId, 'SET environmentId = :env, expiresAt = if_not_exists(expiresAt, :ttl)', {
      ':env': environmentId,
      ':ttl': Math.floor(now.getTime() / 1000) + TTL_SECONDS,
    });
  }

  async awaitResult(requestId: string, token: string): Promise<{ result?: CreationResult }> {
    const item = await this.update('UpdateItem', requestId, 'SET #token = :token', { ':token': token }, { '#token': 'token' });
    return item?.result ? { result: item.result as CreationResult } : {};
  }

  async deliverResult(requestId: string, result: CreationResult): Promise<{ expected: boolean; token?: string }> {
    try {
      const item = await this.update('UpdateItem', requestId, 'SET #result = :result', { ':result': result }, { '#result': 'result' }, 'attribute_exists(pk)');
      return { expected: true, ...(typeof item?.token === 'string' ? { token: item.token } : {}) };
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return { expected: false };
      throw error;
    }
  }

  private async update(
    operation: string,
    requestId: string,
    expression: string,
    values: Record<string, unknown>,
    names?: Record<string, string>,
    condition?: string,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: { pk: PREFIX + requestId },
          UpdateExpression: expression,
          ExpressionAttributeValues: values,
          ...(names ? { ExpressionAttributeNames: names } : {}),
          ...(condition ? { ConditionExpression: condition } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out?.Attributes;
    } catch (error) {
      if (condition && errorName(error) === 'ConditionalCheckFailedException') throw error;
      throw mapDynamoError(operation, error);
    }
  }
}
