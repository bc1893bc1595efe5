/** AWS creates about 5 accounts at once: who holds one of those slots, and how long creations took. */
export interface CreationSlotStore {
  /**
   * Takes one of `limit` account-creation slots for `holder` (an environment id); holding one
   * already counts. Holders older than `staleAfterSeconds` are dropped first (a workflow that died
   * holding one). `acquired: false` means every slot is busy (or the item was too contended): try later.
   */
  acquire(holder: string, opts: { limit: number; now: Date; staleAfterSeconds: number }): Promise<{ acquired: boolean; inUse: number }>;
  /** Gives the slot back; not holding one is fine. */
  release(holder: string): Promise<void>;
  /** How long recent account creations took (seconds, newest last, at most 20): drives adaptive polling. */
  recentDurations(): Promise<number[]>;
  recordDuration(seconds: number): Promise<void>;
}
