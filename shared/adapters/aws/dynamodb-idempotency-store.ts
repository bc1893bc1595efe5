import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RetryableAwsError } from '../../domain/errors';
import { systemClock, type Clock, type IdempotencyStore } from '../../ports';
import { IDEMPOTENCY_TTL_SECONDS, KEY_PREFIX, RegistryTable } from './dynamodb-table';

/**
 * Idempotency-Key bindings (`IDEM#<key>`) and claims on signed requests (`ONCE#<key>`), each a single
 * conditional put that holds for a day. TTL deletes lazily (hours later), so an expired item must not
 * block a new one meanwhile: the condition lets a put replace one whose time has passed.
 */
export class DynamoIdempotencyStore implements IdempotencyStore {
  private readonly table: RegistryTable;

  constructor(
    doc: DynamoDBDocumentClient,
    tableName: string,
    private readonly clock: Clock = systemClock,
  ) {
    this.table = new RegistryTable(doc, tableName);
  }

  async claimIdempotencyKey(key: string, binding: { id: string; requestHash: string }): Promise<{ id: string; requestHash: string }> {
    const now = this.nowSeconds();
    const item = { pk: KEY_PREFIX.idempotencyKey + key, id: binding.id, requestHash: binding.requestHash, expiresAt: now + IDEMPOTENCY_TTL_SECONDS };
    if (await this.table.putIf(item, unlessLive(now))) return { id: binding.id, requestHash: binding.requestHash };
    const stored = await this.table.get(KEY_PREFIX.idempotencyKey + key);
    if (!stored) throw new RetryableAwsError(`Idempotency key binding vanished while being read.`, 'ConditionalCheckFailedException');
    return { id: String(stored.id), requestHash: String(stored.requestHash) };
  }

  async claimOnce(key: string): Promise<boolean> {
    const now = this.nowSeconds();
    return this.table.putIf({ pk: KEY_PREFIX.claim + key, expiresAt: now + IDEMPOTENCY_TTL_SECONDS }, unlessLive(now));
  }

  async releaseClaim(key: string): Promise<void> {
    // Expired rather than deleted: the next claim takes an expired one, and the function needs no DeleteItem.
    await this.table.put({ pk: KEY_PREFIX.claim + key, expiresAt: 0 });
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}

/** Writes unless a live (unexpired) item holds the key. */
function unlessLive(now: number) {
  return { expression: 'attribute_not_exists(pk) OR expiresAt < :now', values: { ':now': now } };
}
