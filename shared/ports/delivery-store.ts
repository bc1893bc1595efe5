/** One message on one channel: what it is about, which kind, where it goes. */
export interface DeliveryKey {
  /** An environment id; for a drift summary, the report id. */
  subject: string;
  /** `ready`, `failed`, `drift`, `accepted`, `rejected`. */
  kind: string;
  /** The channel's name: `email`, `sns`, `slack`, `webhook`, `slack-response`. */
  channel: string;
}

/** `sending`: claimed, and not (yet) seen to go through; `delivered`: it went through. */
export type DeliveryState = 'sending' | 'delivered';

/** A record per message sent, written before sending: each goes out at most once. */
export interface DeliveryStore {
  /**
   * Records that a message is about to be sent, unless it has a record already: the check that sends
   * each message at most once, whichever task (or copy of a task) gets there first. When it was not
   * claimed, `state` is what the record holds: delivered, or claimed by an attempt not seen to finish.
   */
  claim(key: DeliveryKey, now: Date): Promise<{ claimed: true } | { claimed: false; state: DeliveryState }>;
  /** The claimed message went through. */
  markDelivered(key: DeliveryKey, now: Date): Promise<void>;
  /** The claimed message failed before anything went out: a later attempt may claim and send it. */
  release(key: DeliveryKey): Promise<void>;
}
