import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedOrganization } from '../shared/adapters/local/sim-org';
import { EXIT, exitWith, runCommand, wholeNumber, type CommandSpec } from '../local/cli';
import { startRuntime } from '../local/runtime';

const SPEC = {
  command: 'bench drift-child',
  invocation: 'node --import tsx bench/drift-child.ts',
  synopsis: 'ACCOUNTS OUS',
  description: 'One drift check over a fresh simulated organization of ACCOUNTS accounts in OUS OUs; prints one JSON line.',
  options: {},
  positionals: { names: ['ACCOUNTS', 'OUS'], min: 2, max: 2 },
  exitCodes: [
    [0, 'measured'],
    [1, 'could not measure'],
    [2, 'usage mistake'],
  ],
  failure: 'could not measure',
} as const satisfies CommandSpec;

/**
 * One drift check over an organization seeded with N accounts in M OUs (besides the three
 * walk-through OUs), measured in this process alone: `node --import tsx bench/drift-child.ts N M`.
 * Prints one JSON line.
 */
async function main({ positionals }: { positionals: string[] }): Promise<number> {
  const accounts = wholeNumber('ACCOUNTS', positionals[0]!);
  const ous = wholeNumber('OUS', positionals[1]!);
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-drift-'));
  try {
    const sim = new SimulatedOrganization({ dataDir });
    for (const path of ['Workloads/Production', 'Workloads/Staging', 'Sandbox/Playground']) sim.ensureOuPath(path);
    sim.seed({ accounts, ous });
    const runtime = await startRuntime({ dataDir, port: 0, resume: false, env: { PATH: process.env.PATH } });
    try {
      const started = performance.now();
      const report = await runtime.checkDrift('bench');
      const seconds = (performance.now() - started) / 1000;
      const peakRssMB = process.resourceUsage().maxRSS / 1024;
      process.stdout.write(
        `${JSON.stringify({
          accounts: report.organization.accounts,
          ous: report.organization.ous,
          apiCalls: report.apiCalls,
          floorCalls: report.floorCalls,
          ratio: Math.round((report.apiCalls / report.floorCalls) * 1000) / 1000,
          seconds: Math.round(seconds * 100) / 100,
          peakRssMB: Math.round(peakRssMB),
        })}\n`,
      );
    } finally {
      await runtime.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return EXIT.OK;
}

exitWith(SPEC, runCommand(SPEC, process.argv.slice(2), main));
