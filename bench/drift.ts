import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AWS_ORGANIZATIONS_BURST } from '../shared/adapters/local/sim-org';
import { AWS_LIKE_ORGANIZATIONS, AWS_LIKE_ORGANIZATIONS_ENV, round } from './runtime-groups';

/** OUs the seeded accounts are dealt over (three levels deep), besides the walk-through's. */
export const DRIFT_OUS = 200;

export interface DriftResult {
  /** Member accounts, every one of them managed (the management account is in the organization too). */
  accounts: number;
  managedAccounts: number;
  /** Every Organizations request the simulated organization received during the check. */
  apiCalls: number;
  /** The fewest calls any complete check can make, worked out by the benchmark from the organization's records. */
  floorCalls: number;
  seconds: number;
  /** The checking process's peak resident memory: it runs the check as the CheckDrift Lambda does, and nothing else. */
  peakRssMb: number;
  ratio: number;
  /** The floor's calls at the simulated request rate, after the first full bucket: no check can be faster. */
  floorSeconds: number;
  ous: number;
  /** Drift the check found; 0 when the registry and the organization agree, as they were built to. */
  findings: number;
  /** The same process's peak before the check: code loaded, clients built, the simulated organization read. */
  rssAfterOpenMb: number;
  /** Calls the simulated rate limit refused with TooManyRequestsException (counted in apiCalls: each is a round trip all the same). */
  throttled: number;
  simLatencyMs: number;
  simRatePerSecond: number;
  populateSeconds: number;
}

function child(args: string[], env: NodeJS.ProcessEnv): Record<string, unknown> {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'drift-child.ts'), ...args], {
    cwd: join(__dirname, '..'),
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, POWERTOOLS_LOG_LEVEL: 'ERROR', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`drift-child ${args[0]} failed (${run.status ?? run.signal}): ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

/**
 * One drift check over an organization of `accounts` member accounts in DRIFT_OUS OUs, every account
 * managed by a READY environment and tagged as Switchyard tags it, with Organizations answering at
 * AWS-like latency and rate. Populating runs in one child process, the check in a second that runs
 * it as the CheckDrift Lambda does (the registry served by a third), so its peak memory is the check's.
 */
export function drift(accounts: number): DriftResult {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-drift-'));
  try {
    const built = child(['populate', dir, String(accounts), String(DRIFT_OUS)], {});
    const checked = child(['check', dir], { ...AWS_LIKE_ORGANIZATIONS_ENV, ACCOUNT_QUOTA: String(accounts + 100) });
    const floorCalls = built.floorCalls as number;
    const apiCalls = checked.apiCalls as number;
    return {
      accounts,
      managedAccounts: built.managedAccounts as number,
      apiCalls,
      floorCalls,
      seconds: checked.seconds as number,
      peakRssMb: checked.peakRssMb as number,
      ratio: round(apiCalls / floorCalls, 3),
      floorSeconds: round(Math.max(0, floorCalls - AWS_ORGANIZATIONS_BURST) / AWS_LIKE_ORGANIZATIONS.ratePerSecond, 1),
      ous: built.ous as number,
      findings: checked.findings as number,
      rssAfterOpenMb: checked.rssAfterOpenMb as number,
      throttled: checked.throttled as number,
      simLatencyMs: AWS_LIKE_ORGANIZATIONS.latencyMs,
      simRatePerSecond: AWS_LIKE_ORGANIZATIONS.ratePerSecond,
      populateSeconds: built.populateSeconds as number,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
