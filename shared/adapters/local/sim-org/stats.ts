import type { FaultKind } from '../sim-faults';

/**
 * What the simulator counts about itself: AWS calls by operation, faults it injected, and the most
 * creations in progress at once. Counts travel in the state (and so in the file, shared with other
 * processes); a process adds its own calls there lazily, keeping them in UnwrittenCounts meanwhile.
 */

export interface SimulatedOrganizationStats {
  callsByOperation: Record<string, number>;
  /** The most creations seen IN_PROGRESS at the same time. */
  maxConcurrentCreates: number;
  /** Faults injected so far, by kind (throttle, conflict, crash-after-create, fail, stuck). */
  faultsInjected?: Record<string, number>;
}

export function mergedCalls(onDisk: Record<string, number>, pending: Record<string, number>): Record<string, number> {
  const merged = { ...onDisk };
  for (const [operation, calls] of Object.entries(pending)) merged[operation] = (merged[operation] ?? 0) + calls;
  return merged;
}

/**
 * Calls and faults counted in this process but not yet in the file. The state's `stats` is always
 * what the file holds (or will hold once the current transaction writes), so the true count is the
 * two added up — also after a reload brings in counts another process wrote.
 */
export class UnwrittenCounts {
  private calls: Record<string, number> = {};
  private faults: Record<string, number> = {};

  countCall(name: string): void {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
  }

  countFault(kind: FaultKind): void {
    this.faults[kind] = (this.faults[kind] ?? 0) + 1;
  }

  get isEmpty(): boolean {
    return Object.keys(this.calls).length + Object.keys(this.faults).length === 0;
  }

  /** The stats to write: those of the state with these counts added. */
  addedTo(stats: SimulatedOrganizationStats): SimulatedOrganizationStats {
    return { ...stats, callsByOperation: mergedCalls(stats.callsByOperation, this.calls), faultsInjected: mergedCalls(stats.faultsInjected ?? {}, this.faults) };
  }

  /** The stats to report: the counts in the state plus these. */
  reported(stats: SimulatedOrganizationStats): SimulatedOrganizationStats {
    return {
      callsByOperation: mergedCalls(stats.callsByOperation, this.calls),
      maxConcurrentCreates: stats.maxConcurrentCreates,
      faultsInjected: mergedCalls(stats.faultsInjected ?? {}, this.faults),
    };
  }

  clear(): void {
    this.calls = {};
    this.faults = {};
  }
}
