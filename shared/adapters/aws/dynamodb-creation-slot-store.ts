import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RetryableAwsError } from '../../domain/errors';
import type { CreationSlotStore } from '../../ports';
import { RegistryTable, type Item } from './dynamodb-table';

/** The holders of the creation slots: one item, `{ holders: { <environment id>: <since> } }`. */
const CREATION_SLOTS = 'SLOTS#create-account';
/** Recent creation times: one item, `{ recent: [seconds…] }`. */
const CREATION_DURATIONS = 'STATS#creation-seconds';
const DURATIONS_KEPT = 20;
const UPDATE_ATTEMPTS = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A semaphore in the registry table, taken and released with conditional writes, and the creation times next to it. */
export class DynamoCreationSlotStore implements CreationSlotStore {
  private readonly table: RegistryTable;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.table = new RegistryTable(doc, tableName);
  }

  async acquire(holder: string, opts: { limit: number; now: Date; staleAfterSeconds: number }): Promise<{ acquired: boolean; inUse: number }> {
    const staleBefore = opts.now.getTime() - opts.staleAfterSeconds * 1000;
    let inUse = 0;
    for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
      const item = await this.table.get(CREATION_SLOTS);
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

  async release(holder: string): Promise<void> {
    for (let attempt = 1; attempt <= UPDATE_ATTEMPTS * 2; attempt++) {
      const item = await this.table.get(CREATION_SLOTS);
      const holders = { ...((item?.holders as Record<string, string> | undefined) ?? {}) };
      if (!holders[holder]) return;
      delete holders[holder];
      if (await this.putVersioned({ pk: CREATION_SLOTS, holders }, item!.version as number)) return;
      await sleep(Math.random() * 10 * attempt);
    }
    throw new RetryableAwsError(`The creation slots kept changing underneath ${UPDATE_ATTEMPTS * 2} attempts to release ${holder}'s.`, 'ConditionalCheckFailedException');
  }

  async recentDurations(): Promise<number[]> {
    const item = await this.table.get(CREATION_DURATIONS);
    return Array.isArray(item?.recent) ? (item.recent as unknown[]).filter((n): n is number => typeof n === 'number') : [];
  }

  async recordDuration(seconds: number): Promise<void> {
    for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
      const item = await this.table.get(CREATION_DURATIONS);
      const recent = [...(Array.isArray(item?.recent) ? (item.recent as number[]) : []), Math.round(seconds * 10) / 10].slice(-DURATIONS_KEPT);
      if (await this.putVersioned({ pk: CREATION_DURATIONS, recent }, item?.version as number | undefined)) return;
      await sleep(Math.random() * 10 * attempt);
    }
    // A statistic: losing one sample to contention is fine.
  }

  /**
   * Writes a shared item only if it is still at the version read, so concurrent writers never lose
   * each other's change; false when another got there first.
   */
  private putVersioned(item: Item & { pk: string }, version: number | undefined): Promise<boolean> {
    return this.table.putIf(
      { ...item, version: (version ?? 0) + 1 },
      version === undefined ? { expression: 'attribute_not_exists(pk)' } : { expression: 'version = :version', values: { ':version': version } },
    );
  }
}
