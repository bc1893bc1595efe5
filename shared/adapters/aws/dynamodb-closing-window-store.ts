import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CLOSE_WINDOW_MS, closeSlot } from '../../domain/close-quota';
import { RetryableAwsError } from '../../domain/errors';
import type { ClosingWindowStore } from '../../ports';
import { RegistryTable } from './dynamodb-table';
import { updateVersioned } from './dynamodb-versioned';

/** One item, `{ closings: { <environment id>: <when its place was taken> } }`, older than 30 days pruned on write. */
const CLOSING_WINDOW = 'CLOSINGS#window';
const ATTEMPTS = 8;

function closingsOf(item: Record<string, unknown> | undefined, now: Date): Record<string, string> {
  const all = { ...((item?.closings as Record<string, string> | undefined) ?? {}) };
  for (const [id, at] of Object.entries(all)) if (now.getTime() - Date.parse(at) >= CLOSE_WINDOW_MS) delete all[id];
  return all;
}

export class DynamoClosingWindowStore implements ClosingWindowStore {
  private readonly table: RegistryTable;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.table = new RegistryTable(doc, tableName);
  }

  async reserve(id: string, opts: { quota: number; now: Date }): Promise<{ reserved: true } | { reserved: false; notBefore: string }> {
    return updateVersioned<{ reserved: true } | { reserved: false; notBefore: string }>(
      this.table,
      CLOSING_WINDOW,
      (item) => {
        const closings = closingsOf(item, opts.now);
        if (closings[id]) return { result: { reserved: true } };
        const slot = closeSlot(Object.values(closings), opts.quota, opts.now);
        if (!slot.fits) return { result: { reserved: false, notBefore: slot.notBefore } };
        closings[id] = opts.now.toISOString();
        return { write: { closings }, result: { reserved: true } };
      },
      {
        attempts: ATTEMPTS,
        exhausted: () => {
          throw new RetryableAwsError(`The closing window kept changing underneath ${ATTEMPTS} attempts to take a place in it.`, 'ConditionalCheckFailedException');
        },
      },
    );
  }

  async release(id: string): Promise<void> {
    await updateVersioned(
      this.table,
      CLOSING_WINDOW,
      (item) => {
        const closings = { ...((item?.closings as Record<string, string> | undefined) ?? {}) };
        if (!closings[id]) return { result: undefined };
        delete closings[id];
        return { write: { closings }, result: undefined };
      },
      {
        attempts: ATTEMPTS,
        exhausted: () => {
          throw new RetryableAwsError(`The closing window kept changing underneath ${ATTEMPTS} attempts to give a place back.`, 'ConditionalCheckFailedException');
        },
      },
    );
  }

  async inWindow(now: Date): Promise<number> {
    return Object.keys(closingsOf(await this.table.get(CLOSING_WINDOW), now)).length;
  }
}
