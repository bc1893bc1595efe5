import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, realpathSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { organizationFilePath } from '../shared/adapters/local/sim-org';

/**
 * What a data folder holds besides the runtime's own state: which mode it runs in, and the lock that
 * keeps one runtime per folder. The CLIs read both without starting a runtime.
 */

/** `simulated`: the simulated organization and the embedded registry; `aws`: real SDK clients (`npm start -- --aws`). */
export type DataFolderMode = 'aws' | 'simulated';

const MODE_FILE = 'mode';
const PID_FILE = 'runtime.pid';
const SOCKET_FILE = 'runtime.sock';
/** A Unix socket path fits in sun_path: 108 bytes on Linux, 104 on macOS, the terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = 103;
/** How long a start-up waits for another one that is taking over a stale lock at the same moment. */
const TAKEOVER_WAIT_MS = 3_000;
/** A takeover lasts milliseconds; a guard file older than this was left by a process that died in it. */
const TAKEOVER_GUARD_STALE_MS = 1_000;

/**
 * The key the folder's page cursors are sealed with, drawn once and kept (owner-only), so a cursor
 * handed out before a restart still opens after it. A deployment sets CURSOR_KEY instead.
 */
export function folderCursorKey(dataDir: string): string {
  const file = join(dataDir, 'cursor.key');
  try {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length >= 16) return key;
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  const key = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Two starts at once: the first key written is the folder's.
    if (errorCode(error) === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw error;
  }
  return key;
}

export function recordMode(dataDir: string, mode: DataFolderMode): void {
  writeFileSync(join(dataDir, MODE_FILE), `${mode}\n`);
}

/**
 * The mode the folder's runtime was last started in. A folder from before the mode was recorded
 * counts as simulated when it holds a simulated organization; a folder never run has none.
 */
export function dataFolderMode(dataDir: string): DataFolderMode | undefined {
  const file = join(dataDir, MODE_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
    return existsSync(organizationFilePath(dataDir)) ? 'simulated' : undefined;
  }
  if (text === 'aws' || text === 'simulated') return text;
  throw new Error(`${file} says ${JSON.stringify(text)}; it should say aws or simulated (the mode npm start runs this folder in).`);
}

type Holder = { state: 'held'; pid?: number } | { state: 'stale' } | { state: 'none' };

/**
 * Where the folder's lock socket lives: `runtime.sock` in the folder itself, unless that path is too
 * long for a Unix socket. Then it is a socket in /tmp named by a hash of the folder's real path. The
 * choice depends on the real path only, so every spelling of the folder (relative, through a
 * symlink) finds the same lock; /tmp rather than os.tmpdir() because TMPDIR can differ between two
 * shells of the same user, and two runtimes would then lock different files.
 */
function lockSocketPath(dataDir: string): string {
  const real = realpathSync(dataDir);
  // Windows has named pipes instead, which vanish with their process as a socket does.
  if (process.platform === 'win32') return `\\\\.\\pipe\\switchyard-${createHash('sha256').update(real.toLowerCase()).digest('hex').slice(0, 32)}`;
  const inFolder = join(real, SOCKET_FILE);
  if (Buffer.byteLength(inFolder) <= MAX_SOCKET_PATH_BYTES) return inFolder;
  return join('/tmp', `switchyard-${createHash('sha256').update(real).digest('hex').slice(0, 32)}.sock`);
}

/**
 * Whether a runtime holds the folder, and its pid. The lock is a listening Unix socket: the kernel
 * closes it when its process dies, before the process is reaped, so a runtime killed with SIGKILL
 * (even one still a zombie) holds nothing, and a connection that succeeds means a live holder.
 */
function probe(socketPath: string, pidFile: string): Promise<Holder> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    socket.setEncoding('utf8');
    let reply = '';
    let connected = false;
    let timer: NodeJS.Timeout | undefined;
    const held = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ state: 'held', pid: parsePid(reply) ?? pidFromFile(pidFile) });
    };
    socket.on('connect', () => {
      connected = true;
      // A holder whose event loop is busy accepts (the kernel does) but answers late: it is still a holder.
      timer = setTimeout(held, 1_000);
    });
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('close', () => connected && held());
    socket.on('error', (error) => {
      if (connected) return;
      const code = errorCode(error);
      if (code === 'ECONNREFUSED') resolve({ state: 'stale' });
      else if (code === 'ENOENT') resolve({ state: 'none' });
      else reject(error);
    });
  });
}

function parsePid(text: string): number | undefined {
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function pidFromFile(file: string): number | undefined {
  try {
    return parsePid(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The runtime holding the folder, if one does (a folder that does not exist has none). */
export async function runtimeHolding(dataDir: string): Promise<{ pid?: number } | undefined> {
  if (!existsSync(dataDir)) return undefined;
  const holder = await probe(lockSocketPath(dataDir), join(dataDir, PID_FILE));
  return holder.state === 'held' ? { pid: holder.pid } : undefined;
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(path, () => {
      server.off('error', fail);
      ok();
    });
  });
}

/**
 * Removes a lock socket whose owner is gone. Two runtimes starting at once can both find it stale; if
 * each removed it, the later one could remove the socket the earlier one had just bound, and both
 * would run. So the removal happens under a guard file and after a second look: while the stale
 * socket is at the path nobody can bind there, and only the guard's holder removes it.
 */
async function removeStaleSocket(socketPath: string, pidFile: string): Promise<void> {
  const guard = `${socketPath}.takeover`;
  try {
    closeSync(openSync(guard, 'wx'));
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    try {
      if (Date.now() - statSync(guard).mtimeMs > TAKEOVER_GUARD_STALE_MS) rmSync(guard, { force: true });
    } catch (statError) {
      if (errorCode(statError) !== 'ENOENT') throw statError;
    }
    await new Promise((r) => setTimeout(r, 10));
    return;
  }
  try {
    if ((await probe(socketPath, pidFile)).state !== 'stale') return;
    try {
      unlinkSync(socketPath);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  } finally {
    rmSync(guard, { force: true });
  }
}

/**
 * One runtime per data folder: the embedded database and the simulated organization assume a single
 * writer. Returns the release. The pid goes in a file too, for people and for the message a second
 * runtime prints.
 */
export async function claimDataDir(dataDir: string): Promise<() => Promise<void>> {
  const socketPath = lockSocketPath(dataDir);
  const pidFile = join(dataDir, PID_FILE);
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  for (;;) {
    const server = createServer((socket) => {
      // A prober that hangs up first must not take the runtime down with EPIPE.
      socket.on('error', () => undefined);
      socket.end(`${process.pid}\n`);
    });
    try {
      await listen(server, socketPath);
    } catch (error) {
      if (errorCode(error) !== 'EADDRINUSE') throw error;
      const holder = await probe(socketPath, pidFile);
      if (holder.state === 'held') {
        throw new Error(`The data folder ${dataDir} is in use by another Switchyard runtime (pid ${holder.pid ?? 'unknown'}); stop it or set SWITCHYARD_DATA_DIR to another folder.`);
      }
      if (Date.now() > deadline) throw new Error(`Could not take over the lock ${socketPath} of the data folder ${dataDir}; try again.`);
      if (holder.state === 'stale') await removeStaleSocket(socketPath, pidFile);
      continue;
    }
    // The lock alone must not keep a process alive that has nothing else left to do, nor take it down.
    server.unref();
    server.on('error', () => undefined);
    writeFileSync(pidFile, `${process.pid}\n`);
    return async () => {
      rmSync(pidFile, { force: true });
      // Closing the server removes its socket file.
      await new Promise<void>((ok) => server.close(() => ok()));
    };
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
