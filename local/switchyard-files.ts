import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { CommandError } from './cli';

/**
 * Files the `switchyard` command writes: `~/.aws/config` (where the AWS CLI looks for it) and the hub
 * page. Written whole or not at all: a temporary file beside the target, flushed, then renamed over it,
 * with the target's mode kept. A symlinked config (dotfile managers do this) is written through the link.
 */

/** `~` and `~/…` as the shell would expand them. */
export function expandHome(path: string, home = homedir()): string {
  if (path === '~') return home;
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(home, path.slice(2));
  return path;
}

/** The AWS CLI's config file: AWS_CONFIG_FILE, else ~/.aws/config. */
export function defaultConfigFile(env: Record<string, string | undefined>, home = homedir()): string {
  return env.AWS_CONFIG_FILE ? resolve(expandHome(env.AWS_CONFIG_FILE, home)) : join(home, '.aws', 'config');
}

export interface ExistingFile {
  /** The path written to: the link's target for a symlink. */
  path: string;
  /** undefined when there is no file yet. */
  text?: string;
  mode?: number;
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/** The file as it is now, followed through symlinks; no text when it does not exist. */
export function readExisting(path: string): ExistingFile {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (error) {
    if (code(error) === 'ENOENT') return { path: resolve(path) };
    throw new CommandError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const stat = statSync(real);
    if (!stat.isFile()) throw new CommandError(`${path} is not a regular file.`);
    return { path: real, text: readFileSync(real, 'utf8'), mode: stat.mode & 0o7777 };
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw new CommandError(`Cannot read ${path}: ${(error as Error).message}`);
  }
}

/**
 * Writes `text` to `path` atomically: a temporary file in the same folder (so the rename stays on one
 * file system), with `mode`, flushed, renamed over the target. Missing folders are created with
 * `dirMode`. Nothing is left behind on failure.
 */
export function writeAtomically(path: string, text: string, mode: number, dirMode = 0o755): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: dirMode });
  } catch (error) {
    throw new CommandError(`Cannot create the folder ${dir}: ${(error as Error).message}`);
  }
  const temp = join(dir, `.${basename(path)}.switchyard-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', mode);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    // The umask may have narrowed the mode at creation; the target's own mode is kept as it was.
    chmodSync(temp, mode);
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw new CommandError(`Cannot write ${path}: ${(error as Error).message}`);
  }
  try {
    // The rename itself survives a crash once the folder is flushed; not every platform allows it.
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Best effort.
  }
}

/** Where the previous version of `path` is kept: `config` → `config.switchyard.bak`, beside it. */
export function backupPath(path: string): string {
  return `${path}.switchyard.bak`;
}

/** An absolute path from the user's spelling of it (`~`, relative to the working folder). */
export function userPath(path: string, cwd = process.cwd()): string {
  const expanded = expandHome(path);
  return isAbsolute(expanded) ? expanded : resolve(cwd, expanded);
}
