import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RetryableAwsError } from '../../domain/errors';
import type { CreationSlotStore } from '../../ports';
import { RegistryTable } from './dynamodb-table';
import { updateVersioned } from './dynamodb-versioned';

/** The holders of the creation slots: one item, `{ holders: { <environment id>: <since> } }`. */
const CREATION_SLOTS = 'SLOTS#create-account';
/** Recent creation times: one item, `{ recent: [seconds…] }`. */
const CREATION_DURATIONS = 'STATS#creation-seconds';
const DURATIONS_KEPT = 20;
const ATTEMPTS = 8;

function holdersOf(item: Record<string, unknown> | undefined): Record<string, string> {
  return { ...((item?.holders as Record<string, string> | undefined) ?? {}) };
}

/**
 * A semaphore in the registry table, taken and released with conditional writes (see
 * updateVersioned), and the creation times next to it. Every creation reads and writes the same two
 * items, so concurrent writers never lose each other's change.
 */
export class DynamoCreationSlotStore implements CreationSlotStore {
  private readonly table: RegistryTable;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.table = new RegistryTable(doc, tableName);
  }

  async acquire(holder: string, opts: { limit: number; now: Date; staleAfterSeconds: number }): Promise<{ acquired: boolean; inUse: number }> {
    const staleBefore = opts.now.getTime() - opts.staleAfterSeconds * 1000;
    let inUse = 0;
    return updateVersioned<{ acquired: boolean; inUse: number }>(
      this.table,
      CREATION_SLOTS,
      (item) => {
        const holders = holdersOf(item);
        if (holders[holder]) return { result: { acquired: true, inUse: Object.keys(holders).length } };
        for (const [id, since] of Object.entries(holders)) if (Date.parse(since) < staleBefore) delete holders[id];
        inUse = Object.keys(holders).length;
        if (inUse >= opts.limit) return { result: { acquired: false, inUse } };
        holders[holder] = opts.now.toISOString();
        return { write: { holders }, result: { acquired: true, inUse: inUse + 1 } };
      },
      // Everyone is grabbing the same item at once: come back at the next poll rather than fail.
      { attempts: ATTEMPTS, exhausted: () => ({ acquired: false, inUse }) },
    );
  }

  async release(holder: string): Promise<void> {
    await updateVersioned(
      this.table,
      CREATION_SLOTS,
      (item) => {
        const holders = holdersOf(item);
        if (!holders[holder]) return { result: undefined };
        delete holders[holder];
        return { write: { holders }, result: undefined };
      },
      {
        attempts: ATTEMPTS * 2,
        exhausted: () => {
          throw new RetryableAwsError(`The creation slots kept changing underneath ${ATTEMPTS * 2} attempts to release ${holder}'s.`, 'ConditionalCheckFailedException');
        },
      },
    );
  }

  async recentDurations(): Promise<number[]> {
    const item = await this.table.get(CREATION_DURATIONS);
    return Array.isArray(item?.recent) ? (item.recent as unknown[]).filter((n): n is number => typeof n === 'number') : [];
  }

  async recordDuration(seconds: number): Promise<void> {
    await updateVersioned(
      this.table,
      CREATION_DURATIONS,
      (item) => {
        const recent = [...(Array.isArray(item?.recent) ? (item.recent as number[]) : []), Math.round(seconds * 10) / 10].slice(-DURATIONS_KEPT);
        return { write: { recent }, result: undefined };
      },
      // A statistic: losing one sample to contention is fine.
      { attempts: ATTEMPTS, exhausted: () => undefined },
    );
  }
}
