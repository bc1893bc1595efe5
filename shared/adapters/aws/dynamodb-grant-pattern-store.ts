import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RetryableAwsError } from '../../domain/errors';
import type { GrantPatternStore } from '../../ports';
import { RegistryTable } from './dynamodb-table';
import { updateVersioned } from './dynamodb-versioned';

/** One item, `{ patterns: [...] }`: an organization has at most a few thousand OUs, far below 400 KB. */
const GRANT_PATTERNS = 'GRANTS#patterns';
const ATTEMPTS = 8;

export class DynamoGrantPatternStore implements GrantPatternStore {
  private readonly table: RegistryTable;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.table = new RegistryTable(doc, tableName);
  }

  async all(): Promise<string[] | undefined> {
    const item = await this.table.get(GRANT_PATTERNS);
    return Array.isArray(item?.patterns) ? (item.patterns as string[]) : undefined;
  }

  async add(patterns: string[]): Promise<void> {
    await updateVersioned(
      this.table,
      GRANT_PATTERNS,
      (item) => {
        const held = Array.isArray(item?.patterns) ? (item.patterns as string[]) : undefined;
        const next = [...new Set([...(held ?? []), ...patterns])].sort();
        if (held && next.length === held.length) return { result: undefined };
        return { write: { patterns: next }, result: undefined };
      },
      {
        attempts: ATTEMPTS,
        exhausted: () => {
          throw new RetryableAwsError(`The grant patterns kept changing underneath ${ATTEMPTS} attempts to add to them.`, 'ConditionalCheckFailedException');
        },
      },
    );
  }
}
