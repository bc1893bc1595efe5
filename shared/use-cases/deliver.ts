import { nothingSent } from '../domain/delivery';
import type { DeliveryKey, DeliveryState, DeliveryStore, Notification } from '../ports';
import type { Deps } from './deps';

/** How one message on one channel went. */
export type DeliveryOutcome =
  | { channel: string; outcome: 'sent' }
  /** It has a record already: delivered, or claimed by an attempt not seen to finish (`sending`). */
  | { channel: string; outcome: 'skipped'; state: DeliveryState }
  /** Nothing went out; the record was released, so a retry may send it. */
  | { channel: string; outcome: 'failed'; error: Error }
  /** It may have gone out; the record stays, so it is never sent again. */
  | { channel: string; outcome: 'unknown'; error: Error };

/**
 * Sends one message at most once: the delivery record is claimed before sending, so a task that runs
 * twice (a retry, a redelivered event, a restart) finds the claim and sends nothing. A send that
 * certainly sent nothing gives its claim back; a crash, or a failure that may have delivered, keeps it.
 */
export async function sendOnce(deliveries: DeliveryStore, key: DeliveryKey, now: () => Date, send: () => Promise<void>): Promise<DeliveryOutcome> {
  const claim = await deliveries.claim(key, now());
  if (!claim.claimed) return { channel: key.channel, outcome: 'skipped', state: claim.state };
  try {
    await send();
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    if (!nothingSent(failure)) return { channel: key.channel, outcome: 'unknown', error: failure };
    await deliveries.release(key);
    return { channel: key.channel, outcome: 'failed', error: failure };
  }
  await deliveries.markDelivered(key, now());
  return { channel: key.channel, outcome: 'sent' };
}

/**
 * A notification on every channel, one after the other, each at most once. `subject` is what the
 * notification is about (an environment or drift report id). Channels named in `delivered` (as
 * `kind:channel`, from records written before delivery records existed) count as delivered.
 */
export async function deliverToChannels(
  deps: Pick<Deps, 'deliveries' | 'channels' | 'clock'>,
  subject: string,
  notification: Notification,
  delivered: readonly string[] = [],
): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = [];
  for (const channel of deps.channels) {
    if (delivered.includes(`${notification.kind}:${channel.name}`)) {
      outcomes.push({ channel: channel.name, outcome: 'skipped', state: 'delivered' });
      continue;
    }
    const key = { subject, kind: notification.kind, channel: channel.name };
    outcomes.push(await sendOnce(deps.deliveries, key, () => deps.clock.now(), () => channel.send(notification)));
  }
  return outcomes;
}
