// The renderer (consul-template renderer/renderer.go): write only when the contents changed,
// atomically (a temp file in the destination's directory, fsynced, chmod, renamed over), keeping
// the existing mode unless `perms` says otherwise, with an optional `.bak` hard link. Dry runs
// print "> PATH" and the contents instead.
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, chmodSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const DEFAULT_FILE_PERMS = 0o644;

export interface RenderInput {
  path: string;
  contents: string;
  perms: number | undefined;
  backup: boolean;
  createDestDirs: boolean;
  dry: boolean;
  dryWrite: (s: string) => void;
}

export interface RenderResult {
  /** The file holds (or would hold) these contents. */
  wouldRender: boolean;
  /** The file was written (or printed, when dry). */
  didRender: boolean;
  /** What was on disk before (undefined: no file). */
  previous: string | undefined;
}

export class RenderError extends Error {}

export function readExisting(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RenderError(`failed reading file: ${fsMessage(err)}`);
  }
}

export function render(i: RenderInput): RenderResult {
  const previous = readExisting(i.path);
  if (previous !== undefined && previous === i.contents) return { wouldRender: true, didRender: false, previous };
  if (i.dry) i.dryWrite(`> ${i.path}\n${i.contents}`);
  else atomicWrite(i.path, i.contents, i.perms, i.backup, i.createDestDirs);
  return { wouldRender: true, didRender: true, previous };
}

export function atomicWrite(path: string, contents: string, perms: number | undefined, backup: boolean, createDestDirs: boolean): void {
  if (path === '') throw new RenderError('failed writing file: missing destination');
  const parent = dirname(path);
  try {
    statSync(parent);
  } catch {
    if (!createDestDirs) throw new RenderError('failed writing file: parent directory is missing');
    try {
      mkdirSync(parent, { recursive: true, mode: 0o755 });
    } catch (err) {
      throw new RenderError(`failed writing file: ${fsMessage(err)}`);
    }
  }
  const tmp = join(parent, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, contents);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    let mode = perms;
    if (mode === undefined) {
      try {
        mode = statSync(path).mode & 0o7777;
      } catch {
        mode = DEFAULT_FILE_PERMS;
      }
    }
    chmodSync(tmp, mode);
    if (backup) {
      const bak = `${path}.bak`;
      const old = `${path}.old.bak`;
      try {
        renameSync(bak, old);
      } catch {
        /* no previous backup */
      }
      try {
        linkSync(path, bak);
        try {
          unlinkSync(old);
        } catch {
          /* nothing to remove */
        }
      } catch {
        /* nothing to back up yet */
      }
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw new RenderError(`failed writing file: ${fsMessage(err)}`);
  }
}

const GO_ERRNO: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EROFS: 'read-only file system',
  EEXIST: 'file exists',
  ENOSPC: 'no space left on device',
};

/** A Node fs error as Go's *PathError prints it: "open /path: not a directory". */
function fsMessage(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const text = e.code ? GO_ERRNO[e.code] : undefined;
  if (!text) return e.message;
  const op = e.syscall === 'mkdir' || e.syscall === 'rename' || e.syscall === 'link' || e.syscall === 'chmod' ? e.syscall : 'open';
  return `${op} ${e.path ?? ''}: ${text}`;
}
