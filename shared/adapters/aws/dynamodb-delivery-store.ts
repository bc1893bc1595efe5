import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RetryableAwsError } from '../../domain/errors';
import type { DeliveryKey, DeliveryState, DeliveryStore } from '../../ports';
import { KEY_PREFIX, RegistryTable, type Item } from './dynamodb-table';

const UPDATE_ATTEMPTS = 8;
const STATE = { '#state': 'state' };

/** One record per message and channel; kind and channel are from fixed sets without `#`, so no two keys collide. */
function deliveryPk(key: DeliveryKey): string {
  return `${KEY_PREFIX.delivery}${key.subject}#${key.kind}#${key.channel}`;
}

/** Delivery records (`DELIVERY#<subject>#<kind>#<channel>`): `sending`, then `delivered` or `released`. */
export class DynamoDeliveryStore implements DeliveryStore {
  private readonly table: RegistryTable;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.table = new RegistryTable(doc, tableName);
  }

  async claim(key: DeliveryKey, now: Date): Promise<{ claimed: true } | { claimed: false; state: DeliveryState }> {
    const pk = deliveryPk(key);
    const claim: Item = { pk, ...key, state: 'sending', claimedAt: now.toISOString() };
    for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
      if (await this.table.putIf(claim, { expression: 'attribute_not_exists(pk)' })) return { claimed: true };
      const held = await this.table.get(pk);
      if (held?.state === 'sending' || held?.state === 'delivered') return { claimed: false, state: held.state };
      // Released by a send that sent nothing: claimable again, by exactly one of those asking.
      if (held && (await this.table.putIf(claim, { expression: '#state = :released', names: STATE, values: { ':released': 'released' } }))) return { claimed: true };
    }
    throw new RetryableAwsError(`The delivery record ${pk} kept changing underneath ${UPDATE_ATTEMPTS} attempts to claim it.`, 'ConditionalCheckFailedException');
  }

  async markDelivered(key: DeliveryKey, now: Date): Promise<void> {
    await this.table.put({ pk: deliveryPk(key), ...key, state: 'delivered', deliveredAt: now.toISOString() });
  }

  async release(key: DeliveryKey): Promise<void> {
    // Marked released rather than deleted (the notifying functions need no DeleteItem); a delivered record is never released.
    await this.table.putIf({ pk: deliveryPk(key), ...key, state: 'released' }, { expression: '#state = :sending', names: STATE, values: { ':sending': 'sending' } });
  }
}
