/**
 * The account's own console colour, end to end as a user sees it: environments requested over HTTP
 * from the local runtime, then `npm run sim -- accounts --json` (a separate process reading the
 * simulated organization's file) shows each new account in the colour of its environment.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { startRuntime, type Runtime } from '../../local/runtime';
import { call, projectRoot, QUICK_SIM_ENV, tempDataDir, waitForFinal } from './helpers';

let runtime: Runtime | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('npm run sim -- accounts --json shows the accountColor of each provisioned account', async () => {
  dataDir = tempDataDir('switchyard-color-');
  runtime = await startRuntime({ dataDir, port: 0, env: QUICK_SIM_ENV });
  // Staging is yellow by default; the others name their colour.
  const requests = [
    { body: { name: 'Staging', ou: 'Workloads/Staging' }, accountColor: 'yellow' },
    { body: { name: 'Tools', ou: 'Sandbox/Playground', color: 'blue' }, accountColor: 'lightBlue' },
    { body: { name: 'Ledger', ou: 'Workloads/Production', color: 'red' }, accountColor: 'red' },
  ];
  const ready: Array<{ status: string; accountId: string; timeline: Array<{ note?: string }> }> = [];
  for (const { body } of requests) {
    const posted = await call(runtime.url, 'POST', '/environments', body);
    expect(posted.status).toBe(202);
    ready.push(await waitForFinal(runtime.url, posted.body.id));
  }
  expect(ready.map((e) => e.status)).toEqual(['READY', 'READY', 'READY']);
  expect(ready[1]!.timeline.map((t) => t.note)).toContain('account colour lightBlue');
  await runtime.close();
  runtime = undefined;

  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'local/sim-cli.ts', 'accounts', '--json'], {
    cwd: projectRoot,
    env: { ...process.env, SWITCHYARD_DATA_DIR: dataDir },
    timeout: 60_000,
  });
  expect(stderr).toBe('');
  const accounts = JSON.parse(stdout) as Array<{ id: string; name: string; accountColor?: string }>;
  for (const [i, { accountColor }] of requests.entries()) {
    expect(accounts.find((a) => a.id === ready[i]!.accountId)).toMatchObject({ name: requests[i]!.body.name, accountColor });
  }
  expect(accounts.find((a) => a.name === 'Management')).not.toHaveProperty('accountColor');
});
