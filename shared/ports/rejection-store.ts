import type { FieldError } from '../domain/errors';
import type { Page } from './page';

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

export interface RejectionStore {
  /** Keeps the first record of a rejection: a redelivered event is the same one. */
  record(rejection: Rejection): Promise<void>;
  /** Newest first. */
  list(opts: { limit: number; cursor?: string }): Promise<Page<Rejection>>;
}
