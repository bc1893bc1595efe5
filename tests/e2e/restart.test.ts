import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { call, tempDataDir, waitForFinal } from './helpers';

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** Starts `npm start`'s program as a real process and resolves with its URL once it listens. */
function startProcess(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  // `node --import tsx` (not the tsx wrapper) so that SIGKILL hits the runtime process itself.
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts', '--port', '0'], {
    cwd: root,
    env: { ...process.env, SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_SIM_CREATE_SECONDS: '3', POLL_FIRST_SECONDS: '1', POLL_MAX_SECONDS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve({ child, url: match[1]! });
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`runtime exited (${code}) before listening:\n${out}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

it('resumes an environment after the runtime is killed with SIGKILL mid-provisioning, with exactly one account', async () => {
  const dataDir = tempDataDir('switchyard-restart-');
  const first = await startProcess(dataDir);
  const posted = await call(first.url, 'POST', '/environments', { name: 'Staging', ou: 'Workloads/Staging' });
  expect(posted.status).toBe(202);
  for (let i = 0; i < 200; i++) {
    const { body } = await call(first.url, 'GET', `/environments/${posted.body.id}`);
    if (body.createRequestId) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  first.child.kill('SIGKILL');
  await exited(first.child);

  const second = await startProcess(dataDir);
  try {
    const ready = await waitForFinal(second.url, posted.body.id);
    expect(ready.status).toBe('READY');
    expect(ready.ouPath).toBe('Workloads/Staging');
    const accounts = JSON.parse(execFileSync(tsx, ['local/sim-cli.ts', 'accounts', '--json'], { cwd: root, env: { ...process.env, SWITCHYARD_DATA_DIR: dataDir } }).toString());
    expect(accounts.filter((a: { name: string }) => a.name === 'Staging')).toEqual([
      expect.objectContaining({ id: ready.accountId, ou: 'Workloads/Staging', status: 'ACTIVE' }),
    ]);
  } finally {
    second.child.kill('SIGTERM');
    await exited(second.child);
  }
}, 60_000);
