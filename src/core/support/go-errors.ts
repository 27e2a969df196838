// Node's file-system errors in Go's words. Consul prints an *os.PathError as
// `<op> <path>: <errno text>` (`open /data/node-id: read-only file system`); Node's message
// (`EROFS: read-only file system, open '/data/node-id'`) would read like a different program.

const GO_ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'file exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
};

/** Go's errno text for a Node error code, if Go has one we know. */
export function goErrnoText(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code ? GO_ERRNO_TEXT[code] : undefined;
}

/** Go's *PathError text for a failed file operation: `open /x.json: no such file or directory`. */
export function goPathError(op: string, p: string, err: unknown): string {
  const text = goErrnoText(err);
  return text ? `${op} ${p}: ${text}` : `${op} ${p}: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * mkdir -p with Go's MkdirAll wording on failure. Node's recursive mkdir reports ENOENT when the
 * parent exists but refuses (a read-only file system); one plain mkdir then names the real cause.
 */
export async function ensureDir(dir: string): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    // The first missing directory below an existing one is where MkdirAll stops.
    const { dirname } = await import('node:path');
    const { stat } = await import('node:fs/promises');
    let first = dir;
    while (dirname(first) !== first && !(await stat(dirname(first)).then(() => true, () => false))) first = dirname(first);
    const cause = await mkdir(first).then(
      () => err,
      (plain: unknown) => plain,
    );
    throw new Error(goPathError('mkdir', first, cause));
  }
}

/** LevelDB's `IO error: <path>: <Strerror text>` in Go's words, or the message as it is. */
export function goLevelError(err: unknown): string {
  const cause = (err as { cause?: unknown } | undefined)?.cause ?? err;
  const message = cause instanceof Error ? cause.message : String(cause);
  // `IO error: /d/LOCK: Read-only file system`, `IO error: lock /d/LOCK: already held by process`
  const io = /^IO error: (?:([a-z]+) )?(\/.*?): ([^:]+)$/.exec(message);
  if (io) return `${io[1] ?? 'open'} ${io[2]}: ${(io[3] as string).toLowerCase()}`;
  const sys = cause as NodeJS.ErrnoException;
  if (sys.syscall && sys.path) return goPathError(sys.syscall, sys.path, sys);
  return message;
}
