import type { Environment } from '../domain/environment';
import type { DriftReport } from '../domain/drift';
import type { FieldError } from '../domain/errors';

/** A request that was refused where no caller could be told synchronously (an EventBridge event). */
export interface Rejection {
  /** The event id: a redelivery records nothing new. */
  id: string;
  at: string;
  source: string;
  code: string;
  message: string;
  fields?: FieldError[];
  /** The name asked for, when there was one, to find the rejection by. */
  name?: string;
}

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

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  cursor?: string;
}

/** Where environments live: the desired state for drift checks and the audit trail. */
export interface Registry {
  /** Writes a new environment unless one with its id exists; returns the one that is there either way. */
  create(env: Environment): Promise<{ created: boolean; environment: Environment }>;
  get(id: string): Promise<Environment | undefined>;
  /**
   * Read-modify-write with optimistic locking: `change` sees the current record and returns the new
   * one, or undefined to leave it as it is. Retries on a concurrent write. Throws NotFoundError.
   */
  update(id: string, change: (current: Environment) => Environment | undefined): Promise<Environment>;
  /** Newest first. */
  list(opts: { limit: number; cursor?: string }): Promise<Page<Environment>>;
  /** Environments not READY or FAILED (at most a few hundred in practice): for pre-flight and resume. */
  listActive(): Promise<Environment[]>;
  findByEmail(email: string): Promise<Environment | undefined>;
  /**
   * Binds an Idempotency-Key to an environment id the first time it is seen; returns the binding that
   * holds afterwards, so a second caller with the same key learns the first caller's environment.
   */
  recordRejection(rejection: Rejection): Promise<void>;
  /** Newest first. */
  listRejections(opts: { limit: number; cursor?: string }): Promise<Page<Rejection>>;
  /**
   * Takes one of `limit` account-creation slots for `holder` (an environment id); holding one
   * already counts. Holders older than `staleAfterSeconds` are dropped first (a workflow that died
   * holding one). `acquired: false` means every slot is busy (or the item was too contended): try later.
   */
  acquireCreationSlot(holder: string, opts: { limit: number; now: Date; staleAfterSeconds: number }): Promise<{ acquired: boolean; inUse: number }>;
  /** Gives the slot back; not holding one is fine. */
  releaseCreationSlot(holder: string): Promise<void>;
  /** How long recent account creations took (seconds, newest last, at most 20): drives adaptive polling. */
  creationDurations(): Promise<number[]>;
  recordCreationDuration(seconds: number): Promise<void>;
  /** Every environment, for drift checks (the desired state). */
  listAll(): Promise<Environment[]>;
  latestDriftReport(): Promise<DriftReport | undefined>;
  /**
   * Stores a report as the latest, provided the latest is still `previousId` (none when undefined):
   * two checks racing cannot both build on the same previous report. Returns false when it was not.
   */
  saveDriftReport(report: DriftReport, previousId: string | undefined): Promise<boolean>;
  claimIdempotencyKey(key: string, binding: { id: string; requestHash: string }): Promise<{ id: string; requestHash: string }>;
  /**
   * Claims a key standing for one signed request (a Slack command's timestamp and body) before its
   * effect: true for the first claim within a day, false for every copy after it.
   */
  claimOnce(key: string): Promise<boolean>;
  /** Gives a claim back when its effect failed, so a retry of the same request may take it. */
  releaseClaim(key: string): Promise<void>;
  /**
   * Records that a message is about to be sent, unless it has a record already: the check that sends
   * each message at most once, whichever task (or copy of a task) gets there first. When it was not
   * claimed, `state` is what the record holds: delivered, or claimed by an attempt not seen to finish.
   */
  claimDelivery(key: DeliveryKey, now: Date): Promise<{ claimed: true } | { claimed: false; state: DeliveryState }>;
  /** The claimed message went through. */
  markDelivered(key: DeliveryKey, now: Date): Promise<void>;
  /** The claimed message failed before anything went out: a later attempt may claim and send it. */
  releaseDelivery(key: DeliveryKey): Promise<void>;
}
