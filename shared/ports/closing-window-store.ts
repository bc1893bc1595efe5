/**
 * The accounts Switchyard closed in the last 30 days, against AWS's closing quota: a closing takes a
 * place in the window before CloseAccount is called, so two closings at once never both take the last.
 */
export interface ClosingWindowStore {
  /** Takes a place for `id` (kept if it has one); when the window is full, the earliest time one frees. */
  reserve(id: string, opts: { quota: number; now: Date }): Promise<{ reserved: true } | { reserved: false; notBefore: string }>;
  /** Gives a place back (CloseAccount refused before anything happened). */
  release(id: string): Promise<void>;
  /** Closings in the window now. */
  inWindow(now: Date): Promise<number>;
}
