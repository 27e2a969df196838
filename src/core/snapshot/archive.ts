// The snapshot archive (`consul snapshot save`, GET/PUT /v1/snapshot): a gzip-compressed tar with
// meta.json, state.bin and SHA256SUMS, as Consul lays it out (Consul: snapshot/archive.go).
//
// MUST: readArchive verifies every checksum and the presence of every file before returning, so a
// damaged archive is refused before anything is restored.
// MUST: the state passes through tar and gzip as streams (zlib on the thread pool, not blocking
// the event loop Raft runs on) and is held once: at 1,000,000 keys the sync gzip of a joined tar
// took seconds and two more full copies (docs/benchmarks.md, restart and recovery).
import { createHash } from 'node:crypto';
import { createGunzip, createGzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

export interface SnapshotMetaFile {
  ID: string;
  Size: number;
  Index: number;
  Term: number;
  Version: number;
  Configuration?: { Servers: { ID: string; Address: string; Suffrage?: number }[] };
  ConfigurationIndex?: number;
}

export interface SnapshotArchive {
  meta: SnapshotMetaFile;
  state: Uint8Array;
}

export class SnapshotArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotArchiveError';
  }
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export async function writeArchive(meta: SnapshotMetaFile, state: Uint8Array): Promise<Buffer> {
  const metaBytes = Buffer.from(JSON.stringify({ ...meta, Size: state.length }));
  const sums = `${sha256(metaBytes)}  meta.json\n${sha256(state)}  state.bin\n`;
  const pack = tar.pack();
  const files: [string, Uint8Array][] = [
    ['meta.json', metaBytes],
    ['state.bin', state],
    ['SHA256SUMS', Buffer.from(sums)],
  ];
  for (const [name, body] of files) pack.entry({ name, size: body.length, mode: 0o600 }, Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  pack.finalize();
  const out: Buffer[] = [];
  await pipeline(pack, createGzip(), async function* (gz: AsyncIterable<Buffer>) {
    for await (const c of gz) out.push(c);
  });
  return Buffer.concat(out);
}

/** Gunzips and untars as a stream; each file lands in one buffer of its header's size. */
async function untar(data: Uint8Array): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const body = Buffer.allocUnsafe(entry.header.size ?? 0);
      let at = 0;
      for await (const c of entry) {
        const chunk = c as Buffer;
        if (at + chunk.length > body.length) throw new Error(`"${entry.header.name}" is longer than its header says`);
        chunk.copy(body, at);
        at += chunk.length;
      }
      if (at !== body.length) throw new Error(`"${entry.header.name}" is shorter than its header says`);
      files.set(entry.header.name, body);
    }
  })();
  const fed = pipeline(Readable.from([data]), createGunzip(), extract).catch((err: Error) => {
    throw new SnapshotArchiveError(`failed to decompress snapshot: ${err.message}`);
  });
  const [fedResult, doneResult] = await Promise.allSettled([fed, done]);
  if (fedResult.status === 'rejected') throw fedResult.reason;
  if (doneResult.status === 'rejected') throw doneResult.reason;
  return files;
}

export async function readArchive(data: Uint8Array): Promise<SnapshotArchive> {
  let files: Map<string, Buffer>;
  try {
    files = await untar(data);
  } catch (err) {
    if (err instanceof SnapshotArchiveError) throw err;
    throw new SnapshotArchiveError(`failed to read snapshot archive: ${(err as Error).message}`);
  }
  const metaBytes = files.get('meta.json');
  const state = files.get('state.bin');
  const sums = files.get('SHA256SUMS');
  if (!metaBytes || !state || !sums) throw new SnapshotArchiveError('snapshot archive is missing files');
  const expected = new Map<string, string>();
  for (const line of sums.toString('utf8').split('\n')) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line.trim());
    if (m) expected.set(m[2] as string, m[1] as string);
  }
  for (const [name, body] of [['meta.json', metaBytes], ['state.bin', state]] as const) {
    if (expected.get(name) !== sha256(body)) throw new SnapshotArchiveError(`sha256 hash mismatch for "${name}"`);
  }
  let meta: SnapshotMetaFile;
  try {
    meta = JSON.parse(metaBytes.toString('utf8')) as SnapshotMetaFile;
  } catch {
    throw new SnapshotArchiveError('failed to decode snapshot metadata');
  }
  return { meta, state: new Uint8Array(state.buffer, state.byteOffset, state.byteLength) };
}
