/**
 * Faults the simulated organization injects, as AWS really produces them. Set with
 * SWITCHYARD_SIM_FAULTS, a comma list:
 *
 *   throttle=P             that share of Organizations calls fail with TooManyRequestsException
 *   conflict=P             that share of changing calls fail with ConcurrentModificationException
 *   crash-after-create=P   CreateAccount is accepted, then the caller fails as a timed-out Lambda would
 *   fail:REASON=NAME       the creation of the account named NAME ends FAILED with REASON
 *   stuck=NAME             the creation of the account named NAME never leaves IN_PROGRESS
 *
 * Names are matched without regard to case; a name cannot contain a comma.
 */

export const FAULT_KINDS = ['throttle', 'conflict', 'crash-after-create', 'fail', 'stuck'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface SimulatedFaults {
  throttle: number;
  conflict: number;
  crashAfterCreate: number;
  /** Lower-cased account name → FailureReason. */
  fail: Record<string, string>;
  /** Lower-cased account names. */
  stuck: string[];
}

export const NO_FAULTS: SimulatedFaults = { throttle: 0, conflict: 0, crashAfterCreate: 0, fail: {}, stuck: [] };

function share(kind: string, value: string): number {
  const p = Number(value);
  if (value.trim() === '' || !Number.isFinite(p) || p < 0 || p > 1) throw new RangeError(`SWITCHYARD_SIM_FAULTS: ${kind} takes a share from 0 to 1 (got ${JSON.stringify(value)}).`);
  return p;
}

/** Parses the SWITCHYARD_SIM_FAULTS list; a mistake is an error naming the entry, never a silent no-op. */
export function parseFaults(spec: string | undefined): SimulatedFaults {
  const faults: SimulatedFaults = { ...NO_FAULTS, fail: {}, stuck: [] };
  for (const entry of (spec ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new RangeError(`SWITCHYARD_SIM_FAULTS: ${JSON.stringify(entry)} is not KIND=VALUE (kinds: throttle, conflict, crash-after-create, fail:REASON, stuck).`);
    const kind = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1).trim();
    if (kind === 'throttle') faults.throttle = share(kind, value);
    else if (kind === 'conflict') faults.conflict = share(kind, value);
    else if (kind === 'crash-after-create') faults.crashAfterCreate = share(kind, value);
    else if (kind === 'stuck' && value) faults.stuck.push(value.toLowerCase());
    else if (kind.startsWith('fail:') && /^[A-Z_]+$/.test(kind.slice(5)) && value) faults.fail[value.toLowerCase()] = kind.slice(5);
    else throw new RangeError(`SWITCHYARD_SIM_FAULTS: ${JSON.stringify(entry)} is not understood (kinds: throttle=P, conflict=P, crash-after-create=P, fail:REASON=NAME, stuck=NAME).`);
  }
  return faults;
}

/**
 * What a Lambda that timed out leaves the state machine with. Thrown by the simulated transport
 * after the organization has accepted the creation, so the step never learns the `car-` id.
 */
export class SimulatedCrashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Sandbox.Timedout';
  }
}
