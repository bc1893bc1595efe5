import { parseDuration } from './duration';
import { parseOuRef } from './ou-path';

/**
 * Leases: how long an environment lives once READY. A request may ask for `ttl` (ISO 8601), else its
 * OU's default from LEASE_DEFAULTS applies (the longest OU path that is the environment's OU or
 * above it), else it has no lease. Every lease is capped by LEASE_MAX and at least the minimum
 * (one hour; lowered for trials with SWITCHYARD_MIN_LEASE_SECONDS).
 */

export interface LeaseSettings {
  /** OU path → seconds. */
  defaults: ReadonlyArray<{ ou: string; seconds: number }>;
  maxSeconds: number;
  minSeconds: number;
}

/** `Sandbox=P30D,Workloads/Staging=P14D`; a problem string names the first entry at fault. */
export function parseLeaseDefaults(value: string): Array<{ ou: string; seconds: number }> | string {
  const out: Array<{ ou: string; seconds: number }> = [];
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const at = entry.lastIndexOf('=');
    if (at <= 0) return `${JSON.stringify(entry)} is not OU_PATH=DURATION (e.g. Sandbox=P30D)`;
    const ref = parseOuRef(entry.slice(0, at));
    if (typeof ref === 'string' || ref.kind !== 'path') return `${JSON.stringify(entry)}: the OU must be a path below the root (${typeof ref === 'string' ? ref : 'not an id'})`;
    const seconds = parseDuration(entry.slice(at + 1));
    if (typeof seconds === 'string') return `${JSON.stringify(entry)}: the duration ${seconds}`;
    out.push({ ou: ref.segments.join('/'), seconds });
  }
  return out;
}

/** The default lease for an OU path: the most specific LEASE_DEFAULTS entry at or above it. */
export function defaultLease(ouPath: string, defaults: LeaseSettings['defaults']): number | undefined {
  const matches = defaults.filter((d) => ouPath === d.ou || ouPath.startsWith(`${d.ou}/`));
  matches.sort((a, b) => b.ou.length - a.ou.length);
  return matches[0]?.seconds;
}

/** Why a requested lease (seconds) cannot be had; undefined when it can. */
export function leaseProblem(seconds: number, settings: Pick<LeaseSettings, 'maxSeconds' | 'minSeconds'>): string | undefined {
  if (seconds < settings.minSeconds) return `must be at least ${settings.minSeconds} seconds`;
  if (seconds > settings.maxSeconds) return `must be at most LEASE_MAX (${settings.maxSeconds} seconds)`;
  return undefined;
}
