import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Replaces a file whole: `text` is written to `temp`, flushed, renamed over `path`, and the rename
 * flushed. Readers see the old file or the new one, and after a crash or a power cut so does the
 * next start: never a half-written file, never an empty one.
 */
export function replaceFileDurably(path: string, temp: string, text: string): void {
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // The rename failure is the error worth reporting.
    }
    throw error;
  }
  syncDirectory(dirname(path));
}

/** A rename is durable once its directory is flushed; where a directory cannot be opened (Windows) the file system journals it. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Nothing to flush this way on this platform.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
