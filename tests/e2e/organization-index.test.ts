/**
 * The local runtime keeps the organization index the way a deployment does: CloudTrail's records of
 * every change reach the bus (here from the simulated organization, whoever changed it), and what
 * the feed cannot account for is rebuilt from a walk. Requests then cost the same few calls however
 * large the organization is.
 */
import { spawnSync } from 'node:child_process';
import { SimulatedOrganization } from '../../shared/adapters/local/sim-org';
import { startRuntime, type Runtime } from '../../local/runtime';
import { call, projectRoot, QUICK_SIM_ENV, tempDataDir } from './helpers';

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});

/** `npm run sim -- ARGS` in its own process, against dataDir. */
function simCli(dataDir: string, args: string[]): string {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'local/sim-cli.ts', ...args], { cwd: projectRoot, env: { ...process.env, SWITCHYARD_DATA_DIR: dataDir }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`npm run sim -- ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

const organizationsCalls = (rt: Runtime) => Object.values(rt.sim!.stats().callsByOperation).reduce((a, b) => a + (b ?? 0), 0);

it('refuses the name of an account another process created by hand, once its CloudTrail record is delivered', async () => {
  const dataDir = tempDataDir();
  const lines: string[] = [];
  runtime = await startRuntime({ dataDir, port: 0, env: QUICK_SIM_ENV, print: (line) => lines.push(line) });
  await runtime.organizationEventsDelivered();
  const created = JSON.parse(simCli(dataDir, ['create-account', 'Billing Reports', 'billing@example.com', 'Workloads/Production', '--json'])) as { id: string };
  await runtime.organizationEventsDelivered();
  expect(lines).toContainEqual('[events] aws.organizations · AWS Service Event via CloudTrail');

  const taken = await call(runtime.url, 'POST', '/environments', { name: 'billing  reports', ou: 'Workloads/Staging' });
  expect(taken.status).toBe(409);
  expect(taken.body.error).toMatchObject({ code: 'NAME_TAKEN', message: expect.stringContaining(created.id), fields: [{ field: 'name' }] });

  simCli(dataDir, ['remove', created.id]);
  await runtime.organizationEventsDelivered();
  const free = await call(runtime.url, 'POST', '/environments', { name: 'Billing Reports', ou: 'Workloads/Staging', email: 'billing@example.com' });
  expect(free.status).toBe(202);
}, 60_000);

it('rebuilds the index from a walk when the organization was seeded while it was stopped, then answers with no account listing', async () => {
  const dataDir = tempDataDir();
  runtime = await startRuntime({ dataDir, port: 0, env: { ...QUICK_SIM_ENV, ACCOUNT_QUOTA: '3000' } });
  await runtime.close();
  runtime = undefined;
  const seeded = new SimulatedOrganization({ dataDir, accountQuota: 3000 });
  seeded.seed({ accounts: 2000, ous: 40 });
  const someone = seeded.accountsView().find((a) => a.email.startsWith('seed+'))!;

  const lines: string[] = [];
  runtime = await startRuntime({ dataDir, port: 0, env: { ...QUICK_SIM_ENV, ACCOUNT_QUOTA: '3000' }, print: (line) => lines.push(line) });
  await runtime.organizationEventsDelivered();
  expect(lines).toContainEqual(expect.stringMatching(/^\[index\] organization index rebuilt from a walk: 2001 accounts/));

  const before = organizationsCalls(runtime);
  const taken = await call(runtime.url, 'POST', '/environments', { name: 'Another', ou: 'Workloads/Staging', email: someone.email.toUpperCase() });
  expect(taken.status).toBe(409);
  expect(taken.body.error.code).toBe('EMAIL_TAKEN');
  const accepted = await call(runtime.url, 'POST', '/environments', { name: 'Fresh', ou: 'Workloads/Staging' });
  expect(accepted.status).toBe(202);
  expect(organizationsCalls(runtime) - before).toBeLessThanOrEqual(3);
  expect(runtime.sim!.stats().callsByOperation.ListAccounts ?? 0).toBe(0);
}, 120_000);

it('delivers, after a restart, the changes made while it was stopped, without walking again', async () => {
  const dataDir = tempDataDir();
  runtime = await startRuntime({ dataDir, port: 0, env: QUICK_SIM_ENV });
  await runtime.organizationEventsDelivered();
  await runtime.close();
  runtime = undefined;
  simCli(dataDir, ['create-account', 'While Away', 'away@example.com', 'Sandbox/Playground']);

  const lines: string[] = [];
  runtime = await startRuntime({ dataDir, port: 0, env: QUICK_SIM_ENV, print: (line) => lines.push(line) });
  await runtime.organizationEventsDelivered();
  expect(lines.filter((l) => l.startsWith('[index]') || l.startsWith('[cloudtrail]'))).toEqual([]);
  expect(await runtime.deps.organizationIndex.accountWithEmail('away@example.com')).toMatchObject({ name: 'While Away' });
}, 60_000);
