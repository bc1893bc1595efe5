import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claimDataDir, dataFolderMode, recordMode, runtimeHolding } from '../../local/data-folder';
import { removeTempDirs, tempDir } from '../fixtures/sim-cli';

afterAll(removeTempDirs);

/** Leaves a socket file at `path` whose process is dead, as a runtime killed with SIGKILL does. */
function leaveDeadSocket(path: string): void {
  const child = spawnSync(process.execPath, ['-e', "require('node:net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))", path]);
  expect(child.signal).toBe('SIGKILL');
  expect(existsSync(path)).toBe(true);
}

describe('the data folder lock', () => {
  it('refuses a second claim naming the holder, and is free again once released', async () => {
    const dataDir = tempDir('switchyard-lock-');
    const release = await claimDataDir(dataDir);
    expect(await runtimeHolding(dataDir)).toEqual({ pid: process.pid });
    await expect(claimDataDir(dataDir)).rejects.toThrow(`The data folder ${dataDir} is in use by another Switchyard runtime (pid ${process.pid})`);
    await release();
    expect(await runtimeHolding(dataDir)).toBeUndefined();
    expect(readdirSync(dataDir)).toEqual([]);
    await (await claimDataDir(dataDir))();
  });

  it('takes over the socket of a runtime that died without releasing it', async () => {
    const dataDir = tempDir('switchyard-lock-');
    leaveDeadSocket(join(dataDir, 'runtime.sock'));
    writeFileSync(join(dataDir, 'runtime.pid'), '999999\n');
    expect(await runtimeHolding(dataDir)).toBeUndefined();
    const release = await claimDataDir(dataDir);
    expect(await runtimeHolding(dataDir)).toEqual({ pid: process.pid });
    await release();
  });

  it('locks a folder whose path is too long for a socket too, whichever way the path is spelt', async () => {
    const base = tempDir('switchyard-lock-');
    const dataDir = join(base, 'a-folder-name-that-is-long-enough'.repeat(4));
    mkdirSync(dataDir);
    expect(Buffer.byteLength(join(dataDir, 'runtime.sock'))).toBeGreaterThan(107);
    const shortcut = join(base, 'short');
    symlinkSync(dataDir, shortcut);

    const release = await claimDataDir(dataDir);
    try {
      // Node would cut a longer socket path short, and bind a socket beside the folder instead.
      expect(readdirSync(base).sort()).toEqual([dataDir.slice(base.length + 1), 'short']);
      expect(readdirSync(dataDir)).toEqual(['runtime.pid']);
      await expect(claimDataDir(shortcut)).rejects.toThrow(`in use by another Switchyard runtime (pid ${process.pid})`);
      expect(await runtimeHolding(shortcut)).toEqual({ pid: process.pid });
    } finally {
      await release();
    }
    await (await claimDataDir(shortcut))();
  });
});

describe('the data folder mode', () => {
  it('is the mode recorded, else simulated where a simulated organization is, else none', () => {
    const dataDir = tempDir('switchyard-mode-');
    expect(dataFolderMode(dataDir)).toBeUndefined();
    writeFileSync(join(dataDir, 'organization.json'), '{}');
    expect(dataFolderMode(dataDir)).toBe('simulated');
    recordMode(dataDir, 'aws');
    expect(dataFolderMode(dataDir)).toBe('aws');
    writeFileSync(join(dataDir, 'mode'), 'cloud\n');
    expect(() => dataFolderMode(dataDir)).toThrow(/aws or simulated/);
  });
});
