import { existsSync, mkdirSync } from 'node:fs';
import type { Clock } from '../../../ports/clock';
import type { FaultKind } from '../sim-faults';
import { DEFAULT_SETTINGS, newState, type OrgState, type SimSettings } from './state';
import { organizationFilePath, StateFile } from './state-file';
import { mergedCalls, UnwrittenCounts, type SimulatedOrganizationStats } from './stats';

/** Counts of read-only calls reach the file at most this often (and with every change). */
const STATS_FLUSH_MS = 1_000;

/**
 * The organization's state in this process, kept in step with the file other processes share (when
 * there is a data directory; otherwise it lives in memory only). A transaction runs under the file's
 * lock on the newest state and writes it back if something marked it changed; a read takes no lock,
 * since the file is only ever replaced whole. Call counts ride along with writes (see UnwrittenCounts).
 */
export class OrgStore {
  private inTransaction = false;
  private dirty = false;
  private readonly unwritten = new UnwrittenCounts();
  /** Real time (not the injected clock, which tests stop): how often counts are written is an I/O matter. */
  private lastStatsFlush = Date.now();
  private flushTimer?: ReturnType<typeof setTimeout>;

  private constructor(
    private state: OrgState,
    private readonly file?: StateFile,
  ) {}

  /**
   * The organization in `dataDir` (made there when there is none yet), or a new one in memory. The
   * settings given override those the file holds, and are written to it when they differ.
   */
  static open(dataDir: string | undefined, explicit: Partial<SimSettings>, clock: Clock): OrgStore {
    if (!dataDir) return new OrgStore(newState({ ...DEFAULT_SETTINGS, ...explicit }, clock.now()));
    mkdirSync(dataDir, { recursive: true });
    const file = new StateFile(organizationFilePath(dataDir));
    const state = file.locked(() => {
      const existing = file.read();
      const state = existing ?? newState({ ...DEFAULT_SETTINGS, ...explicit }, clock.now());
      const changed = !existing || (Object.keys(explicit) as (keyof SimSettings)[]).some((key) => state.settings[key] !== explicit[key]);
      Object.assign(state.settings, explicit);
      if (changed) file.write(state);
      return state;
    });
    return new OrgStore(state, file);
  }

  /** Reads need no lock: the file is only ever replaced whole, by rename. */
  read<T>(run: (s: OrgState) => T): T {
    return run(this.refresh());
  }

  /**
   * The state for a read without the lock, reloaded when another process changed the file; undefined
   * when a transaction must run instead: no file, inside one already, or the file is gone (the
   * transaction writes it back from memory).
   */
  unlocked(): OrgState | undefined {
    if (!this.file || this.inTransaction) return undefined;
    const onDisk = this.file.poll();
    if (onDisk === 'missing') return undefined;
    if (onDisk) this.state = onDisk;
    return this.state;
  }

  /**
   * Runs `run` on the current state under the cross-process lock and writes the state back if it
   * was marked changed. Operations validate before they mutate, so a thrown AWS error leaves nothing
   * half done. Inside a transaction, another one simply runs.
   */
  transaction<T>(run: (s: OrgState) => T): T {
    const file = this.file;
    if (!file || this.inTransaction) return run(this.state);
    return file.locked(() => {
      this.inTransaction = true;
      this.dirty = false;
      try {
        const onDisk = file.poll();
        // A deleted file is rewritten from memory rather than silently becoming a new organization.
        if (onDisk === 'missing') this.dirty = true;
        else if (onDisk) this.state = onDisk;
        return run(this.state);
      } finally {
        this.inTransaction = false;
        if (this.dirty) this.writeWithStats(file);
      }
    });
  }

  /** The current transaction writes the state when it ends (even when it ends with an error). */
  markChanged(): void {
    this.dirty = true;
  }

  /** Counts an AWS call; a read-only one reaches the file with the next write or within STATS_FLUSH_MS. */
  countCall(name: string, readOnly: boolean): void {
    if (!this.file) {
      this.state.stats.callsByOperation[name] = (this.state.stats.callsByOperation[name] ?? 0) + 1;
      return;
    }
    this.unwritten.countCall(name);
    // A change writes the file anyway, and the counts with it.
    if (this.inTransaction || !readOnly) return;
    if (Date.now() - this.lastStatsFlush >= STATS_FLUSH_MS) {
      this.flushQuietly();
    } else if (!this.flushTimer) {
      // Catches the counts of the last calls of a burst; unref'd so that it never keeps a process alive.
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.flushQuietly();
      }, STATS_FLUSH_MS);
      this.flushTimer.unref?.();
    }
  }

  countFault(kind: FaultKind): void {
    if (!this.file) {
      this.state.stats.faultsInjected = mergedCalls(this.state.stats.faultsInjected ?? {}, { [kind]: 1 });
      return;
    }
    this.unwritten.countFault(kind);
  }

  /** The counts in the file plus this process's calls not written yet. */
  stats(): SimulatedOrganizationStats {
    return this.read((s) => this.unwritten.reported(s.stats));
  }

  /** Writes this process's unwritten call counts to the file now, e.g. before another process reads them. */
  flushStats(): void {
    if (!this.file || this.unwritten.isEmpty) return;
    this.transaction(() => {
      this.dirty = true;
    });
  }

  /** Within a transaction: counting starts afresh, with `inProgress` creations under way. */
  resetStats(s: OrgState, inProgress: number): void {
    s.stats = { callsByOperation: {}, maxConcurrentCreates: inProgress, faultsInjected: {} };
    this.unwritten.clear();
    this.dirty = true;
  }

  /**
   * A periodic flush must never fail the call it rides on, nor bring back a file someone deleted
   * (a test's data directory, gone by the time the timer fires): the counts stay pending instead.
   */
  private flushQuietly(): void {
    if (!existsSync(this.file!.path)) return;
    try {
      this.flushStats();
    } catch {
      // Lock held elsewhere or the directory went away: the next change or flush writes them.
    }
  }

  /** Every write carries the pending counts along; they count as written only once the write succeeded. */
  private writeWithStats(file: StateFile): void {
    const stats = this.unwritten.addedTo(this.state.stats);
    file.write({ ...this.state, stats });
    this.state.stats = stats;
    this.unwritten.clear();
    this.lastStatsFlush = Date.now();
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
  }

  /** The state, reloaded first when another process changed the file. */
  private refresh(): OrgState {
    if (this.file && !this.inTransaction) {
      const onDisk = this.file.poll();
      if (onDisk && onDisk !== 'missing') this.state = onDisk;
    }
    return this.state;
  }
}
