import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { replaceFileDurably } from '../durable-file';
import { SimulatedAwsError } from './errors';
import { alnum } from './ids';
import { parseState, type OrgState } from './state';

/**
 * The organization's JSON file in a data directory, shared by every process that opens it: written
 * whole and atomically (readers never see half a file), guarded by a `.lock` file that a dead
 * owner — crashed, killed, or a zombie not yet reaped — cannot keep forever.
 */

export const ORGANIZATION_FILE = 'organization.json';

export function organizationFilePath(dataDir: string): string {
  return join(dataDir, ORGANIZATION_FILE);
}

const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 3_000;

const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));

function sleepMs(ms: number): void {
  Atomics.wait(SLEEP_CELL, 0, 0, ms);
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function signatureOf(stats: Stats): string {
  // The file is replaced by rename, so the inode changes with every write; the times and size back it up.
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}

/** The organization file, its lock file and what this process last saw of it. */
export class StateFile {
  private signature?: string;
  private readonly lockPath: string;

  constructor(readonly path: string) {
    this.lockPath = `${path}.lock`;
  }

  read(): OrgState | undefined {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const signature = signatureOf(fstatSync(fd));
      const state = parseState(readFileSync(fd, 'utf8'), this.path);
      this.signature = signature;
      return state;
    } finally {
      closeSync(fd);
    }
  }

  /** The state on disk when it changed since this process last read or wrote it; 'missing' when the file is gone. */
  poll(): OrgState | 'missing' | undefined {
    let stats: Stats;
    try {
      stats = statSync(this.path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return 'missing';
      throw error;
    }
    if (signatureOf(stats) === this.signature) return undefined;
    return this.read() ?? 'missing';
  }

  /** Readers in other processes see the old file or the new one, never a half-written one. */
  write(state: OrgState): void {
    // Flushed before and after the rename: a power cut leaves the old state or the new one, never an empty file.
    replaceFileDurably(this.path, `${this.path}.${process.pid}.${alnum(8)}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
    this.signature = signatureOf(statSync(this.path));
  }

  locked<T>(run: () => T): T {
    this.acquire();
    try {
      return run();
    } finally {
      this.release();
    }
  }

  private acquire(): void {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const fd = openSync(this.lockPath, 'wx');
        try {
          writeFileSync(fd, `${process.pid}\n`);
        } finally {
          closeSync(fd);
        }
        return;
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      }
      if (this.removeStaleLock()) continue;
      if (Date.now() >= deadline) {
        // The name AWS gives a request that collided with another change: callers already retry it.
        throw new SimulatedAwsError('ConcurrentModificationException', `The simulated organization is locked by another process (${this.lockPath}); try again.`);
      }
      sleepMs(5 + randomInt(20));
    }
  }

  /**
   * A process that died holding the lock must not wedge every other one: the lock is taken over
   * when it is older than any operation could take, or at once when its owner is known to be gone
   * (a runtime killed mid-operation and restarted at once would otherwise fail to start).
   */
  private removeStaleLock(): boolean {
    try {
      const old = Date.now() - statSync(this.lockPath).mtimeMs > LOCK_STALE_MS;
      if (!old && !ownerIsGone(readFileSync(this.lockPath, 'utf8'))) return false;
      unlinkSync(this.lockPath);
      return true;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return true;
      throw error;
    }
  }

  private release(): void {
    try {
      unlinkSync(this.lockPath);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  }
}

/**
 * True only when the lock names a process of this machine that no longer runs: none has its pid, or
 * it is a zombie (dead, its pid kept until its parent reaps it). A runtime killed with SIGKILL and
 * restarted before its parent reaped it is the zombie case; signal 0 cannot tell a zombie from a process.
 */
function ownerIsGone(lockContent: string): boolean {
  const pid = Number(lockContent.trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return errorCode(error) === 'ESRCH';
  }
  return isZombie(pid);
}

/** Linux says in /proc; elsewhere ps does (asked only while an owner that seems alive holds the lock). */
function isZombie(pid: number): boolean {
  if (process.platform === 'win32') return false;
  if (process.platform === 'linux') {
    try {
      return /^State:\s+[ZX]/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch (error) {
      // Reaped since the signal went through: gone.
      return errorCode(error) === 'ENOENT';
    }
  }
  const ps = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
  return ps.status === 0 && ps.stdout.trim().startsWith('Z');
}
