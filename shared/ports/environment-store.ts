import type { Environment, EnvironmentStatus } from '../domain/environment';
import type { Page } from './page';

/** Where environments live: the desired state for drift checks and the audit trail. */
export interface EnvironmentStore {
  /** Writes a new environment unless one with its id exists; returns the one that is there either way. */
  create(env: Environment): Promise<{ created: boolean; environment: Environment }>;
  get(id: string): Promise<Environment | undefined>;
  /**
   * Read-modify-write with optimistic locking: `change` sees the current record and returns the new
   * one, or undefined to leave it as it is. Retries on a concurrent write. Throws NotFoundError.
   */
  update(id: string, change: (current: Environment) => Environment | undefined): Promise<Environment>;
  /** Newest first; only those of `status` when given. */
  list(opts: { limit: number; cursor?: string; status?: EnvironmentStatus }): Promise<Page<Environment>>;
  /** Environments not READY or FAILED (at most a few hundred in practice): for pre-flight and resume. */
  listActive(): Promise<Environment[]>;
  /** READY environments with a lease (one sparse-index query, never every environment): for the lifecycle check. */
  listLeased(): Promise<Environment[]>;
  /** Every environment, for drift checks (the desired state). */
  listAll(): Promise<Environment[]>;
  /** The environment using this address (any case), preferring the newest that did not fail. */
  findByEmail(email: string): Promise<Environment | undefined>;
}
