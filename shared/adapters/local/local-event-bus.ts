import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_SOURCE, type Events, type OutgoingEvent } from '../../ports';
import type { TaskFunction } from './local-workflow';

/** An event as EventBridge delivers it to a Lambda target. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** The part of an EventBridge rule the local bus understands: exact source and detail-type. */
export interface LocalRule {
  source: string;
  detailType: string;
  /** Serverless function key of the target. */
  fn: string;
}

/**
 * The local stand-in for an EventBridge bus: every event is kept as a file under `<dataDir>/events/`
 * and printed, and events matching a rule are delivered to the same handler as on AWS —
 * asynchronously, as EventBridge does. A target that throws is recorded next to the event, as a DLQ would.
 */
export class LocalEventBus implements Events {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly dir: string,
    private readonly rules: LocalRule[],
    private readonly functions: () => Record<string, TaskFunction>,
    private readonly print: (line: string) => void = () => undefined,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  async publish(events: OutgoingEvent[]): Promise<void> {
    for (const e of events) this.put({ source: e.source ?? EVENT_SOURCE, detailType: e.detailType, detail: e.detail });
  }

  /** Accepts one entry (from publish or from PutEvents) and returns its event id. */
  put(entry: { source: string; detailType: string; detail: unknown }): string {
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.detailType,
      source: entry.source,
      account: '000000000000',
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: 'local',
      resources: [],
      detail: entry.detail,
    };
    const file = join(this.dir, `${event.time.replace(/[:]/g, '-')}-${event.id}.json`);
    writeFileSync(file, `${JSON.stringify(event, null, 2)}\n`);
    this.print(`[events] ${event.source} · ${event['detail-type']}`);
    for (const rule of this.rules) {
      if (rule.source !== event.source || rule.detailType !== event['detail-type']) continue;
      const target = this.functions()[rule.fn];
      if (!target) continue;
      const delivery = target(event, { functionName: rule.fn, awsRequestId: randomUUID() })
        .then(() => undefined)
        .catch((error: unknown) => {
          writeFileSync(`${file}.failed-${rule.fn}.json`, `${JSON.stringify({ error: (error as Error).name, message: (error as Error).message }, null, 2)}\n`);
          this.print(`[events] ${rule.fn} failed on ${event.id}: ${(error as Error).name}`);
        })
        .finally(() => this.pending.delete(delivery));
      this.pending.add(delivery);
    }
    return event.id;
  }

  /** Resolves once every delivery started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}
