import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRuntime, type Runtime } from '../../local/runtime';
import { call, closedPort, exited, QUICK_SIM_ENV, startDynamoEmulator, startOrganizationsEmulator, startRuntimeProcess, tempDataDir, waitForFinal } from './helpers';

const root = join(__dirname, '..', '..');

/** `npm run <script> -- args` as a user runs it, against one data folder (one node process, without the tsx wrapper's second one). */
async function run(script: 'drift' | 'sim', dataDir: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const file = script === 'drift' ? 'local/drift-cli.ts' : 'local/sim-cli.ts';
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file, ...args], { cwd: root, env: { ...process.env, ...QUICK_SIM_ENV, ...env, SWITCHYARD_DATA_DIR: dataDir } });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});

async function provisionedFolder(env: Record<string, string> = {}) {
  const dataDir = tempDataDir('switchyard-drift-');
  runtime = await startRuntime({ dataDir, port: 0, env: { ...QUICK_SIM_ENV, ...env } });
  const posted = await call(runtime.url, 'POST', '/environments', { name: 'Staging', ou: 'Workloads/Staging' });
  const staging = await waitForFinal(runtime.url, posted.body.id);
  expect(staging.status).toBe('READY');
  return { dataDir, staging, url: runtime.url };
}

describe('npm run drift', () => {
  it('exits 0 on a clean organization and 3 with the misplaced account, expected and actual OU, in --json', async () => {
    const { dataDir, staging } = await provisionedFolder();
    await runtime!.close();
    runtime = undefined;

    const clean = await run('drift', dataDir, ['--json']);
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.out)).toMatchObject({ findings: [], trigger: 'cli', apiCalls: expect.any(Number) });

    expect((await run('sim', dataDir, ['move', staging.accountId, 'Sandbox/Elsewhere'])).code).toBe(0);
    const drifted = await run('drift', dataDir, ['--json']);
    expect(drifted.code).toBe(3);
    const report = JSON.parse(drifted.out);
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'ACCOUNT_MISPLACED', accountId: staging.accountId, expected: 'Workloads/Staging', actual: 'Sandbox/Elsewhere' })]);
    expect(report.apiCalls).toBeGreaterThanOrEqual(report.floorCalls);

    const text = await run('drift', dataDir, []);
    expect(text.code).toBe(3);
    expect(text.out).toContain('ACCOUNT_MISPLACED Staging');
    expect(text.out).toContain('fix: Move account');
  });

  it('with DRIFT_REMEDIATE=move-back puts the account back and the timeline says so', async () => {
    const { dataDir, staging } = await provisionedFolder();
    await runtime!.close();
    runtime = undefined;
    await run('sim', dataDir, ['move', staging.accountId, 'Sandbox/Elsewhere']);
    const fixed = await run('drift', dataDir, ['--json'], { DRIFT_REMEDIATE: 'move-back' });
    expect(fixed.code).toBe(3);
    expect(JSON.parse(fixed.out).findings[0].remediation).toMatchObject({ action: 'moved-back', to: 'Workloads/Staging' });
    const accounts = JSON.parse((await run('sim', dataDir, ['accounts', '--json'])).out) as Array<{ id: string; ou: string }>;
    expect(accounts.find((a) => a.id === staging.accountId)?.ou).toBe('Workloads/Staging');
    expect((await run('drift', dataDir, [])).code).toBe(0);

    runtime = await startRuntime({ dataDir, port: 0, env: { ...QUICK_SIM_ENV } });
    const env = await call(runtime.url, 'GET', `/environments/${staging.id}`);
    expect(env.body.timeline.at(-1).note).toMatch(/drift check moved account \d{12} back from Sandbox\/Elsewhere to Workloads\/Staging/);
  });

  it('asks the running runtime when there is one, which then serves the report at GET /drift', async () => {
    const { dataDir, staging, url } = await provisionedFolder();
    await run('sim', dataDir, ['close', staging.accountId]);
    const result = await run('drift', dataDir, ['--json']);
    expect(result.code).toBe(3);
    const report = JSON.parse(result.out);
    expect(report.trigger).toBe('api');
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'ACCOUNT_SUSPENDED', actual: 'SUSPENDED' })]);
    const latest = await call(url, 'GET', '/drift');
    expect(latest.status).toBe(200);
    expect(latest.body.id).toBe(report.id);
  });

  it("honours the command's own drift settings when it goes through the running runtime", async () => {
    const { dataDir, staging } = await provisionedFolder();
    await run('sim', dataDir, ['move', staging.accountId, 'Sandbox/Elsewhere']);
    // The runtime runs with its defaults (report only, two checks to confirm); the command asks for more.
    const result = await run('drift', dataDir, ['--json'], { DRIFT_REMEDIATE: 'move-back', DRIFT_CONFIRM_CHECKS: '1' });
    expect(result.code).toBe(3);
    const report = JSON.parse(result.out);
    expect(report.trigger).toBe('api');
    expect(report.findings).toEqual([
      expect.objectContaining({ kind: 'ACCOUNT_MISPLACED', confirmed: true, remediation: expect.objectContaining({ action: 'moved-back', to: 'Workloads/Staging' }) }),
    ]);
    const accounts = JSON.parse((await run('sim', dataDir, ['accounts', '--json'])).out) as Array<{ id: string; ou: string }>;
    expect(accounts.find((a) => a.id === staging.accountId)?.ou).toBe('Workloads/Staging');

    const invalid = await run('drift', dataDir, [], { DRIFT_REMEDIATE: 'sideways' });
    expect(invalid.code).toBe(1);
    expect(invalid.err).toContain('DRIFT_REMEDIATE');
  });

  it('refuses unknown arguments (2) and a folder without an organization (1)', async () => {
    expect((await run('drift', tempDataDir(), ['--yaml'])).code).toBe(2);
    const empty = await run('drift', tempDataDir(), []);
    expect(empty.code).toBe(1);
    expect(empty.err).toContain('no simulated organization');
  });
});

describe('npm run drift -- --aws', () => {
  // Organizations and DynamoDB on loopback: the organization and registry of a provisioned simulated
  // folder, served as AWS would serve them. Nothing else may be reached (AWS_ENDPOINT_URL).
  let simDir: string;
  let staging: any;
  let org: { url: string; close: () => Promise<void> };
  let dynamo: { url: string; close: () => Promise<void> };
  let deadEnd: string;
  beforeAll(async () => {
    const provisioned = await provisionedFolder();
    simDir = provisioned.dataDir;
    staging = provisioned.staging;
    await runtime!.close();
    runtime = undefined;
    org = await startOrganizationsEmulator(simDir);
    dynamo = await startDynamoEmulator(join(simDir, 'registry'));
    deadEnd = `http://127.0.0.1:${await closedPort()}`;
  });
  afterAll(async () => {
    await org?.close();
    await dynamo?.close();
  });
  const awsEnv = (orgUrl = org.url) => ({
    AWS_ENDPOINT_URL: deadEnd,
    AWS_ENDPOINT_URL_ORGANIZATIONS: orgUrl,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
  });

  it('checks the organization at the endpoint against the configured table: 0 clean, 3 drift, 1 unreachable', async () => {
    const awsDir = tempDataDir('switchyard-aws-');
    const clean = await run('drift', awsDir, ['--aws', '--json'], awsEnv());
    expect(clean.err).toBe('');
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.out)).toMatchObject({ findings: [], environmentsChecked: 1 });

    expect((await run('sim', simDir, ['move', staging.accountId, 'Sandbox/Elsewhere'])).code).toBe(0);
    try {
      const drifted = await run('drift', awsDir, ['--aws', '--json'], awsEnv());
      expect(drifted.code).toBe(3);
      expect(JSON.parse(drifted.out).findings).toEqual([
        expect.objectContaining({ kind: 'ACCOUNT_MISPLACED', environmentId: staging.id, accountId: staging.accountId, expected: 'Workloads/Staging', actual: 'Sandbox/Elsewhere' }),
      ]);
      // The folder remembers it is an --aws folder: the plain command checks AWS too.
      expect((await run('drift', awsDir, [], awsEnv())).code).toBe(3);

      const missingTable = await run('drift', awsDir, ['--aws'], { ...awsEnv(), REGISTRY_TABLE: 'no-such-table' });
      expect(missingTable.code).toBe(1);
      expect(missingTable.err).toContain('could not run');

      const unreachable = await run('drift', awsDir, ['--aws'], awsEnv(deadEnd));
      expect(unreachable.code).toBe(1);
      expect(unreachable.err).toContain('could not run');
    } finally {
      await run('sim', simDir, ['move', staging.accountId, 'Workloads/Staging']);
    }
  });

  it('goes through an --aws runtime on the same folder, and npm run sim refuses that folder', async () => {
    const awsDir = tempDataDir('switchyard-aws-');
    const aws = await startRuntimeProcess(awsDir, ['--aws'], awsEnv());
    try {
      await run('sim', simDir, ['close', staging.accountId]);
      for (const args of [['--json'], ['--aws', '--json']]) {
        const result = await run('drift', awsDir, args, awsEnv());
        expect(result.code).toBe(3);
        const report = JSON.parse(result.out);
        expect(report.trigger).toBe('api');
        expect(report.findings).toEqual([expect.objectContaining({ kind: 'ACCOUNT_SUSPENDED', environmentId: staging.id })]);
      }
      const sim = await run('sim', awsDir, ['accounts']);
      expect(sim.code).toBe(1);
      expect(sim.err).toContain('drives the simulated organization only');
      expect(existsSync(join(awsDir, 'organization.json'))).toBe(false);
    } finally {
      aws.child.kill('SIGTERM');
      await exited(aws.child);
    }
  });
});

describe('the runtime drift interval', () => {
  it('checks on SWITCHYARD_DRIFT_INTERVAL and confirms a pending finding with a recheck', async () => {
    const { staging } = await provisionedFolder({ SWITCHYARD_DRIFT_INTERVAL: '1s', DRIFT_RECHECK_SECONDS: '0' });
    runtime!.sim!.moveAccountTo(staging.accountId, 'Sandbox/Playground');
    let report: any;
    for (let i = 0; i < 100; i++) {
      report = (await call(runtime!.url, 'GET', '/drift')).body;
      if (report?.counts?.confirmed) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'ACCOUNT_MISPLACED', confirmed: true })]);
    expect(['interval', 'recheck']).toContain(report.trigger);
  });
});
