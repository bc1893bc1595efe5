import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedOrganization } from '../shared/adapters/local/sim-org';
import { startRuntime } from '../local/runtime';

/**
 * One drift check over an organization seeded with N accounts in M OUs (besides the three
 * walk-through OUs), measured in this process alone: `node --import tsx bench/drift-child.ts N M`.
 * Prints one JSON line.
 */
async function main() {
  const [accounts, ous] = process.argv.slice(2).map(Number) as [number, number];
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
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
