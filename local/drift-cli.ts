import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { organizationFilePath } from '../shared/adapters/local/sim-org';
import type { DriftReport } from '../shared/domain/drift';
import { driftCheckOverrides, driftCheckSettingsIn, type DriftCheckSettings } from '../shared/lambda/drift-check-settings';
import { formatDriftReport } from '../shared/use-cases/drift-check';
import { CommandError, EXIT, exitWith, runCommand, type CommandSpec } from './cli';
import { dataFolderMode, runtimeHolding, type DataFolderMode } from './data-folder';
import { RUNTIME_URL_FILE, startRuntime } from './runtime';

/**
 * `npm run drift -- [--aws] [--json]`: one drift check of the data folder's organization against its
 * registry: the simulated organization and the embedded registry, or with `--aws` (and in a folder
 * `npm start -- --aws` runs) AWS Organizations and the DynamoDB table REGISTRY_TABLE, through the
 * standard credential and endpoint variables. Through the running runtime when there is one (it holds
 * the folder), with the drift settings this command was given; otherwise by opening the folder itself.
 * Exit code 0 when clean, 3 when drift is found, 1 when the check could not run, 2 for a usage mistake.
 */

/** Drift found: the check ran, and the organization is not what the registry says. */
const EXIT_DRIFT = 3;

const SPEC = {
  command: 'drift',
  invocation: 'npm run drift --',
  synopsis: '[--aws] [--json]',
  description: [
    'Checks the organization of ${SWITCHYARD_DATA_DIR:-.switchyard} against the registry: the simulated',
    'organization, or AWS with --aws (a folder npm start -- --aws runs is checked against AWS anyway).',
  ].join('\n'),
  options: {
    aws: { type: 'boolean', description: 'check AWS Organizations and the DynamoDB table REGISTRY_TABLE' },
    json: { type: 'boolean', description: 'print the report as JSON' },
  },
  details: [
    ['DRIFT_REMEDIATE, DRIFT_CONFIRM_CHECKS, DRIFT_CHECK_ROLE, DRIFT_WALK_CONCURRENCY and', 'DRIFT_RECHECK_SECONDS apply to this check, also when a running runtime makes it.'].join('\n'),
  ],
  exitCodes: [
    [0, 'no drift'],
    [EXIT_DRIFT, 'drift found'],
    [1, 'the check could not run'],
    [2, 'usage mistake'],
  ],
  failure: 'the check could not run',
} as const satisfies CommandSpec;

async function viaRuntime(url: string, settings: DriftCheckSettings): Promise<DriftReport> {
  const res = await fetch(`${url}/drift-checks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ settings }),
  });
  const body = (await res.json()) as DriftReport & { error?: { message: string } };
  if (!res.ok) throw new CommandError(`The running runtime at ${url} refused the check: ${body.error?.message ?? res.status}`);
  return body;
}

async function inProcess(dataDir: string, mode: DataFolderMode, env: Record<string, string | undefined>): Promise<DriftReport> {
  // Quiet: this process only reads and reports; in-flight environments stay for `npm start` to resume.
  const runtime = await startRuntime({ dataDir, port: 0, resume: false, aws: mode === 'aws', env });
  try {
    return await runtime.checkDrift('cli');
  } finally {
    await runtime.close();
  }
}

/** Which organization to check: --aws, else the folder's own mode; refuses a folder of the other kind. */
function modeFor(dataDir: string, aws: boolean): DataFolderMode {
  const folder = dataFolderMode(dataDir);
  if (aws && folder === 'simulated') {
    throw new CommandError(
      `--aws was given, but ${dataDir} is a simulated organization's folder (npm start runs it without --aws). Point SWITCHYARD_DATA_DIR at the folder npm start -- --aws runs, or at a new one.`,
    );
  }
  if (aws || folder === 'aws') return 'aws';
  if (!existsSync(organizationFilePath(dataDir))) {
    throw new CommandError(
      `There is no simulated organization in ${dataDir}: start Switchyard once (npm start) or point SWITCHYARD_DATA_DIR at a data folder (the demo's is .switchyard/demo); for AWS, add --aws.`,
    );
  }
  return 'simulated';
}

async function check(dataDir: string, aws: boolean, env: Record<string, string | undefined>): Promise<DriftReport> {
  const settings = driftCheckSettingsIn(env);
  // Checked here too, so a typo stops the command with the setting's name whichever way the check runs.
  driftCheckOverrides(settings);
  const mode = modeFor(dataDir, aws);
  const holder = await runtimeHolding(dataDir);
  if (!holder) return inProcess(dataDir, mode, env);
  const urlFile = join(dataDir, RUNTIME_URL_FILE);
  if (!existsSync(urlFile)) throw new CommandError(`The runtime holding ${dataDir} (pid ${holder.pid ?? 'unknown'}) is still starting; try again in a moment.`);
  return viaRuntime(readFileSync(urlFile, 'utf8').trim(), settings);
}

export async function main(argv: readonly string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  return runCommand(SPEC, argv, async ({ values }) => {
    const dataDir = resolve(env.SWITCHYARD_DATA_DIR || '.switchyard');
    const report = await check(dataDir, values.aws === true, env);
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDriftReport(report)}\n`);
    return report.counts.total > 0 ? EXIT_DRIFT : EXIT.OK;
  });
}

if (require.main === module) exitWith(SPEC, main(process.argv.slice(2)));
