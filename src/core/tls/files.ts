// The file helpers `consul tls` uses, as Consul's command/tls.FileDoesNotExist and
// lib/file.WriteAtomicWithPerms behave. Kept apart from the X.509 code (no dependencies) so the
// commands can load it without the certificate library.
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { goErrnoText, goPathError } from '../support/go-errors.js';

/** True only when stat says the file does not exist (any other stat error counts as existing). */
export function fileDoesNotExist(path: string): boolean {
  try {
    statSync(path);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * Write through a temporary file in the same directory, fsync, then rename over `path`; the file
 * is created with `mode` (less the umask, as Go's os.OpenFile). Throws an Error worded like Go's.
 */
export function writeAtomicWithPerms(path: string, contents: string, dirMode: number, mode: number): void {
  const tmp = `${path}-${randomUUID()}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: dirMode });
  } catch (err) {
    throw new Error(goPathError('mkdir', dirname(path), err));
  }
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', mode);
  } catch (err) {
    throw new Error(goPathError('open', tmp, err));
  }
  try {
    writeSync(fd, contents);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw new Error(goPathError('write', tmp, err));
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    // Go's *LinkError: rename <old> <new>: <errno text>
    throw new Error(`rename ${tmp} ${path}: ${goErrnoText(err) ?? (err as Error).message}`);
  }
}
