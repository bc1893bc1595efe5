import { EventBridgeClient, PutEventsCommand, type EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import { RetryableAwsError } from '../../domain/errors';
import { EVENT_SOURCE, type Events, type OutgoingEvent } from '../../ports';
import { mapUnlistedAwsError } from './errors';

export function createEventBridgeClient(config: Partial<EventBridgeClientConfig> = {}): EventBridgeClient {
  return new EventBridgeClient({ retryMode: 'adaptive', maxAttempts: 5, ...config });
}

/** PutEvents takes at most 10 entries a call. */
const BATCH = 10;

/** Publishes outcome events on the configured bus. A partly failed batch is retried as a whole: consumers dedupe by environment id. */
export class EventBridgeEvents implements Events {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: OutgoingEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += BATCH) {
      const entries = events.slice(i, i + BATCH).map((e) => ({ EventBusName: this.busName, Source: e.source ?? EVENT_SOURCE, DetailType: e.detailType, Detail: JSON.stringify(e.detail) }));
      let out;
      try {
        out = await this.client.send(new PutEventsCommand({ Entries: entries }));
      } catch (error) {
        throw mapUnlistedAwsError('PutEvents', error, { service: 'EventBridge' });
      }
      if (out.FailedEntryCount) {
        const codes = (out.Entries ?? []).map((e) => e.ErrorCode).filter(Boolean);
        throw new RetryableAwsError(`PutEvents failed for ${out.FailedEntryCount} of ${entries.length} events (${codes.join(', ')}).`, 'PutEventsFailedEntries');
      }
    }
  }
}
