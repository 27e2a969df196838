// Raft snapshots as checksummed files in `<data-dir>/raft/snapshots/` (like hashicorp/raft's
// FileSnapshotStore): `<term>-<index>.snap` = magic, meta length, meta JSON, FSM state, sha256.
//
// MUST: a snapshot file is written to a temporary name, fsynced, then renamed and the directory
// fsynced, so a crash leaves either the old snapshot or the complete new one. A file whose
// checksum does not match is ignored on load (the previous one is kept for that reason).
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Snapshot, SnapshotMeta } from '../core/types.js';

const MAGIC = Buffer.from('CTSNAP1\n');
const RETAIN = 2;

export class FileSnapshotStore {
  constructor(private readonly dir: string) {}

  async save(snap: Snapshot): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const parts = snapshotFileParts(snap);
    const name = `${snap.meta.term}-${snap.meta.index}.snap`;
    const tmp = path.join(this.dir, name + '.tmp');
    const fh = await fs.open(tmp, 'w');
    try {
      // Part by part, each to completion: joining them first would hold a second full copy.
      for (const part of parts) await fh.writeFile(part);
      await fh.sync();
    } catch (err) {
      // A full disk must not keep the partial file: it holds the space the retry needs.
      await fh.close().catch(() => undefined);
      await fs.rm(tmp, { force: true });
      // A write through a file handle carries no path; name the file, as Go's *PathError does.
      const e = err as NodeJS.ErrnoException;
      e.path ??= tmp;
      throw e;
    }
    await fh.close();
    await fs.rename(tmp, path.join(this.dir, name));
    await syncDir(this.dir);
    await this.prune();
  }

  /**
   * The newest intact snapshot, if any. Each newer file that is damaged (checksum, magic, meta)
   * is reported through `onDamaged` with its path, so the caller can log it and judge whether
   * the log still reaches back to the snapshot it falls back to.
   */
  async loadLatest(onDamaged: (file: string) => void = () => {}): Promise<Snapshot | undefined> {
    for (const name of await this.list()) {
      const file = path.join(this.dir, name);
      const snap = await readSnapshotFile(file);
      if (snap) return snap;
      onDamaged(file);
    }
    return undefined;
  }

  /** Snapshot file names, newest first. */
  private async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return [];
    }
    const parsed = names
      .map((n) => /^(\d+)-(\d+)\.snap$/.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ name: m[0], term: Number(m[1]), index: Number(m[2]) }));
    parsed.sort((a, b) => b.index - a.index || b.term - a.term);
    return parsed.map((p) => p.name);
  }

  private async prune(): Promise<void> {
    const names = await this.list();
    for (const n of names.slice(RETAIN)) await fs.rm(path.join(this.dir, n), { force: true });
    for (const n of await fs.readdir(this.dir)) {
      if (n.endsWith('.tmp')) await fs.rm(path.join(this.dir, n), { force: true });
    }
  }
}

/**
 * The pieces of a snapshot file in order (magic, meta length, meta JSON, the state itself, the
 * sha256 of everything before it), sharing `snap.data` rather than copying it.
 */
export function snapshotFileParts(snap: Snapshot): Uint8Array[] {
  const meta = Buffer.from(JSON.stringify(snap.meta));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(meta.length);
  const head = [MAGIC, len, meta, snap.data];
  const hash = createHash('sha256');
  for (const p of head) hash.update(p);
  return [...head, hash.digest()];
}

async function readSnapshotFile(file: string): Promise<Snapshot | undefined> {
  const buf = await fs.readFile(file).catch(() => undefined);
  if (!buf || buf.length < MAGIC.length + 4 + 32) return undefined;
  const body = buf.subarray(0, buf.length - 32);
  const sum = createHash('sha256').update(body).digest();
  if (!sum.equals(buf.subarray(buf.length - 32)) || !body.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const metaLen = body.readUInt32BE(MAGIC.length);
  const metaStart = MAGIC.length + 4;
  if (metaStart + metaLen > body.length) return undefined;
  let meta: SnapshotMeta;
  try {
    meta = JSON.parse(body.subarray(metaStart, metaStart + metaLen).toString('utf8')) as SnapshotMeta;
  } catch {
    return undefined;
  }
  // A view into the file's buffer, not a copy: the state is held once (the header and checksum
  // around it are a few hundred bytes).
  const data = new Uint8Array(buf.buffer, buf.byteOffset + metaStart + metaLen, body.length - metaStart - metaLen);
  return { meta, data };
}

async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
