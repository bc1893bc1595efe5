import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceFileDurably } from '../shared/adapters/local/durable-file';
import type { SimulatedOrganization, TrailCursor } from '../shared/adapters/local/sim-org';

/** Where the feed got to in the simulated organization's trail, kept across restarts. */
export const CLOUDTRAIL_CURSOR_FILE = 'cloudtrail.cursor';
const POLL_MS = 250;

/**
 * The local stand-in for CloudTrail's delivery of Organizations events to the default bus: every
 * change to the simulated organization (by the workflow, `npm run sim`, or any other process
 * sharing the folder) is put on the local bus as AWS delivers it, where the indexOrganization rule
 * picks it up. Records the feed cannot account for — a folder without a cursor, a trail that moved
 * on past it, a seeded organization — are made good with a walk of the whole organization, as the
 * drift check's walk makes good an event lost on AWS.
 */
export class CloudTrailFeed {
  private cursor: TrailCursor | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly sim: SimulatedOrganization,
    private readonly dataDir: string,
    private readonly deliver: (record: { detailType: string; detail: unknown }) => void,
    /** Rebuilds the index from a walk, when records were lost. */
    private readonly walk: () => Promise<void>,
    private readonly print: (line: string) => void,
  ) {
    this.cursor = readCursor(join(dataDir, CLOUDTRAIL_CURSOR_FILE));
  }

  /** Delivers what is new now, then keeps polling; resolves after the first round (a walk included). */
  start(): Promise<void> {
    const first = this.poll();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
    return first;
  }

  /** One round at a time: a round asked for while one runs follows it. */
  poll(): Promise<void> {
    this.running = this.running.then(() => this.round()).catch((error: unknown) => this.print(`[cloudtrail] ${(error as Error).message}`));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async round(): Promise<void> {
    if (this.stopped) return;
    const { records, gap, cursor } = this.sim.cloudTrailSince(this.cursor);
    if (gap) {
      this.print('[cloudtrail] records since the last run are not all there: rebuilding the organization index from a walk');
      await this.walk();
    }
    for (const record of records) this.deliver({ detailType: record.detailType, detail: record.detail });
    if (gap || records.length || this.cursor?.epoch !== cursor.epoch || this.cursor?.seq !== cursor.seq) {
      this.cursor = cursor;
      const path = join(this.dataDir, CLOUDTRAIL_CURSOR_FILE);
      replaceFileDurably(path, `${path}.tmp`, `${JSON.stringify(cursor)}\n`);
    }
  }
}

function readCursor(path: string): TrailCursor | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<TrailCursor>;
    return typeof value.epoch === 'string' && Number.isInteger(value.seq) ? { epoch: value.epoch, seq: value.seq! } : undefined;
  } catch {
    // Missing or damaged: a walk rebuilds what the index needs.
    return undefined;
  }
}
