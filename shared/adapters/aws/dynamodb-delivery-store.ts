import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RetryableAwsError } from '../../domain/errors';
import type { DeliveryKey, DeliveryState, DeliveryStore } from '../../ports';
import { KEY_PREFIX, RegistryTable } from './dynamodb-table';
import { updateVersioned } from './dynamodb-versioned';

const ATTEMPTS = 8;

/** One record per message and channel; kind and channel are from fixed sets without `#`, so no two keys collide. */
function deliveryPk(key: DeliveryKey): string {
  return `${KEY_PREFIX.delivery}${key.subject}#${key.kind}#${key.channel}`;
}

/**
 * Delivery records (`DELIVERY#<subject>#<kind>#<channel>`): `sending` when claimed, then `delivered`,
 * or `released` by a send that sent nothing. Each change is conditional on the record as read (see
 * updateVersioned), so of many claiming one message at once exactly one gets it.
 */
export class DynamoDeliveryStore implements DeliveryStore {
  private readonly table: RegistryTable;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.table = new RegistryTable(doc, tableName);
  }

  async claim(key: DeliveryKey, now: Date): Promise<{ claimed: true } | { claimed: false; state: DeliveryState }> {
    const pk = deliveryPk(key);
    return updateVersioned<{ claimed: true } | { claimed: false; state: DeliveryState }>(
      this.table,
      pk,
      (held) => {
        if (held?.state === 'sending' || held?.state === 'delivered') return { result: { claimed: false, state: held.state } };
        // No record, or released by a send that sent nothing: claimable (again).
        return { write: { ...key, state: 'sending', claimedAt: now.toISOString() }, result: { claimed: true } };
      },
      {
        attempts: ATTEMPTS,
        exhausted: () => {
          throw new RetryableAwsError(`The delivery record ${pk} kept changing underneath ${ATTEMPTS} attempts to claim it.`, 'ConditionalCheckFailedException');
        },
      },
    );
  }

  async markDelivered(key: DeliveryKey, now: Date): Promise<void> {
    await updateVersioned(this.table, deliveryPk(key), () => ({ write: { ...key, state: 'delivered', deliveredAt: now.toISOString() }, result: undefined }), {
      attempts: ATTEMPTS,
      exhausted: () => {
        throw new RetryableAwsError(`The delivery record ${deliveryPk(key)} kept changing underneath ${ATTEMPTS} attempts to mark it delivered.`, 'ConditionalCheckFailedException');
      },
    });
  }

  async release(key: DeliveryKey): Promise<void> {
    // Marked released rather than deleted (the notifying functions need no DeleteItem); only a claim
    // still sending is released, never a delivered one. Left as it is when it keeps changing: a record
    // that stays `sending` is never sent again, the safe side of at most once.
    await updateVersioned(
      this.table,
      deliveryPk(key),
      (held) => (held?.state === 'sending' ? { write: { ...key, state: 'released' }, result: undefined } : { result: undefined }),
      { attempts: ATTEMPTS, exhausted: () => undefined },
    );
  }
}
