/**
 * Every OU pattern the admin's switch-role grant covers, kept together so that a grant reads them
 * in one request whatever the number of environments (each environment also records its own).
 */
export interface GrantPatternStore {
  /** Every pattern recorded; undefined when none ever was here (a registry from before they were kept together). */
  all(): Promise<string[] | undefined>;
  /** Adds patterns; those already there stay once. */
  add(patterns: string[]): Promise<void>;
}
