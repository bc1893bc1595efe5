/** Requests already seen: Idempotency-Key bindings and claims on signed requests. Both last a day. */
export interface IdempotencyStore {
  /**
   * Binds an Idempotency-Key to an environment id the first time it is seen; returns the binding that
   * holds afterwards, so a second caller with the same key learns the first caller's environment.
   */
  claimIdempotencyKey(key: string, binding: { id: string; requestHash: string }): Promise<{ id: string; requestHash: string }>;
  /**
   * Claims a key standing for one signed request (a Slack command's timestamp and body) before its
   * effect: true for the first claim within a day, false for every copy after it.
   */
  claimOnce(key: string): Promise<boolean>;
  /** Gives a claim back when its effect failed, so a retry of the same request may take it. */
  releaseClaim(key: string): Promise<void>;
}
