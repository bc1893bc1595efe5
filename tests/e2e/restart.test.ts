import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, exited, projectRoot as root, startRuntimeProcess, tempDataDir, waitForFinal } from './helpers';

const tsx = join(root, 'node_modules', '.bin', 'tsx');
const QUICK = { SWITCHYARD_SIM_CREATE_SECONDS: '3', POLL_FIRST_SECONDS: '1', POLL_MAX_SECONDS: '1' };

/** Starts `npm start`'s program as a real process and resolves with its URL once it listens. */
const startProcess = (dataDir: string) => startRuntimeProcess(dataDir, [], QUICK);

/** The state letter Linux shows for a process (R, S, Z…), or undefined once it is gone. */
function processState(pid: number): string | undefined {
  try {
    return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
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
    second.child.kill('SIGKILL');
    await exited(second.child);
  }
}, 60_000);

// Linux shows whether a process is a zombie in /proc; elsewhere the precondition cannot be checked.
(process.platform === 'linux' ? it : it.skip)('starts at once on a folder whose runtime was killed and is not reaped yet (a zombie)', async () => {
  const dataDir = tempDataDir('switchyard-zombie-');
  // The runtime's parent is a shell that becomes `sleep` and never reaps it: once killed, the
  // runtime stays a zombie (dead, its pid still taken) until the test ends the sleep.
  const parent = spawn('sh', ['-c', `"${process.execPath}" --import tsx local/main.ts --port 0 & echo "pid $!"; exec sleep 120`], {
    cwd: root,
    env: { ...process.env, ...QUICK, SWITCHYARD_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let second: ChildProcess | undefined;
  try {
    const pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const started = /pid (\d+)[\s\S]*listening on http/.exec(out);
        if (started) resolve(Number(started[1]));
      });
      parent.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      parent.once('exit', () => reject(new Error(`the runtime did not start:\n${out}`)));
    });
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 200 && processState(pid) !== 'Z'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(processState(pid)).toBe('Z');

    const restarted = await startProcess(dataDir);
    second = restarted.child;
    // Still a zombie: the restart did not wait for it to be reaped.
    expect(processState(pid)).toBe('Z');
    expect((await call(restarted.url, 'GET', '/environments')).status).toBe(200);
  } finally {
    second?.kill('SIGKILL');
    if (second) await exited(second);
    parent.kill('SIGKILL');
    await exited(parent);
  }
}, 60_000);

it('refuses a second runtime on a folder a live runtime holds, naming its pid', async () => {
  const dataDir = tempDataDir('switchyard-twice-');
  const first = await startProcess(dataDir);
  try {
    await expect(startProcess(dataDir)).rejects.toThrow(new RegExp(`in use by another Switchyard runtime \\(pid ${first.child.pid}\\)`));
    expect((await call(first.url, 'GET', '/environments')).status).toBe(200);
  } finally {
    first.child.kill('SIGKILL');
    await exited(first.child);
  }
}, 60_000);
