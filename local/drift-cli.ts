import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DriftReport } from '../shared/domain/drift';
import { formatDriftReport } from '../shared/use-cases/drift-check';
import { runtimeHolding } from './data-folder';
import { RUNTIME_URL_FILE, startRuntime } from './runtime';

/**
 * `npm run drift -- [--json]`: one drift check against the local data folder (the simulated
 * organization and the registry). Through the running runtime when there is one (`npm start` holds
 * the folder), otherwise by opening the folder itself. Exit code 0 when clean, 3 when drift is found,
 * 1 when the check could not run, 2 for a usage mistake.
 */

const USAGE = 'Usage: npm run drift -- [--json]\n  Checks the organization in ${SWITCHYARD_DATA_DIR:-.switchyard} against the registry.\n  Exit code: 0 no drift, 3 drift found, 1 the check could not run.\n';

/** The URL of the runtime holding the folder, if one does and says where it listens. */
async function runningUrl(dataDir: string): Promise<string | undefined> {
  const urlFile = join(dataDir, RUNTIME_URL_FILE);
  if (!(await runtimeHolding(dataDir)) || !existsSync(urlFile)) return undefined;
  return readFileSync(urlFile, 'utf8').trim();
}

async function viaRuntime(url: string): Promise<DriftReport> {
  const res = await fetch(`${url}/drift-checks`, { method: 'POST' });
  const body = (await res.json()) as DriftReport & { error?: { message: string } };
  if (!res.ok) throw new Error(`The running runtime at ${url} refused the check: ${body.error?.message ?? res.status}`);
  return body;
}

async function inProcess(dataDir: string): Promise<DriftReport> {
  // Quiet: this process only reads and reports; in-flight environments stay for `npm start` to resume.
  const runtime = await startRuntime({ dataDir, port: 0, resume: false });
  try {
    return await runtime.checkDrift('cli');
  } finally {
    await runtime.close();
  }
}

export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const unknown = argv.filter((a) => a !== '--json');
  if (unknown.length) {
    process.stderr.write(`Unknown argument ${JSON.stringify(unknown[0])}.\n${USAGE}`);
    return 2;
  }
  const dataDir = resolve(env.SWITCHYARD_DATA_DIR ?? '.switchyard');
  if (!existsSync(join(dataDir, 'organization.json'))) {
    process.stderr.write(`There is no simulated organization in ${dataDir}: start Switchyard once (npm start) or point SWITCHYARD_DATA_DIR at a data folder (the demo's is .switchyard/demo).\n`);
    return 1;
  }
  const url = await runningUrl(dataDir);
  const report = url ? await viaRuntime(url) : await inProcess(dataDir);
  process.stdout.write(argv.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : `${formatDriftReport(report)}\n`);
  return report.counts.total > 0 ? 3 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`The drift check could not run: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
