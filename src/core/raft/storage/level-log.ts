// The durable Raft log and hard state in LevelDB (`<data-dir>/raft/log`).
//
// MUST: save() resolves only after LevelDB has written the batch with sync (fsync of its WAL), so
// a vote, an append acknowledgement or a client's "true" is never sent for state a crash could
// lose. One save() carries a whole Ready: that is the group commit (many proposals, one fsync).
import { Level } from 'level';
import type { ConfState, Entry, EntryKind, HardState } from '../core/types.js';
import { ensureDir, goLevelError } from '../../support/go-errors.js';

/** The log store could not be opened (a read-only or foreign data dir, a held lock...). */
export class StorageOpenError extends Error {
  override name = 'StorageOpenError';
}

const KIND_CODES: Record<EntryKind, number> = { command: 0, config: 1, noop: 2 };
const KINDS: EntryKind[] = ['command', 'config', 'noop'];

const entryKey = (index: number): string => 'e:' + index.toString(16).padStart(16, '0');
const HARD_STATE_KEY = 'hs';
const CONF_KEY = 'conf';

export function encodeEntry(e: Entry): Uint8Array {
  const out = new Uint8Array(17 + e.data.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(e.index));
  view.setBigUint64(8, BigInt(e.term));
  out[16] = KIND_CODES[e.kind];
  out.set(e.data, 17);
  return out;
}

export function decodeEntry(b: Uint8Array): Entry {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    index: Number(view.getBigUint64(0)),
    term: Number(view.getBigUint64(8)),
    kind: KINDS[b[16] as number] ?? 'command',
    data: b.slice(17),
  };
}

export interface LoadedLog {
  hardState: HardState | undefined;
  confState: ConfState | undefined;
  entries: Entry[];
}

type BatchOp =
  | { type: 'put'; key: string; value: Uint8Array }
  | { type: 'del'; key: string };

export class LevelLogStore {
  private readonly db: Level<string, Uint8Array>;
  private lastIndex = 0;

  constructor(private readonly dir: string) {
    this.db = new Level<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
  }

  async open(): Promise<LoadedLog> {
    try {
      await ensureDir(this.dir);
      await this.db.open();
    } catch (err) {
      throw new StorageOpenError(`Failed to start Raft: ${err instanceof Error && !('cause' in err) ? err.message : goLevelError(err)}`);
    }
    const hs = await this.db.get(HARD_STATE_KEY);
    const conf = await this.db.get(CONF_KEY);
    const entries: Entry[] = [];
    for await (const value of this.db.values({ gte: 'e:', lt: 'e;' })) entries.push(decodeEntry(value));
    this.lastIndex = entries.length > 0 ? (entries[entries.length - 1] as Entry).index : 0;
    return {
      hardState: hs ? (JSON.parse(Buffer.from(hs).toString('utf8')) as HardState) : undefined,
      confState: conf ? (JSON.parse(Buffer.from(conf).toString('utf8')) as ConfState) : undefined,
      entries,
    };
  }

  /** Append entries (replacing any conflicting suffix) and the hard state, in one synced batch. */
  async save(entries: readonly Entry[], hardState: HardState | undefined, sync: boolean): Promise<void> {
    const ops: BatchOp[] = [];
    if (entries.length > 0) {
      const first = (entries[0] as Entry).index;
      const last = (entries[entries.length - 1] as Entry).index;
      for (let i = Math.max(first, last + 1); i <= this.lastIndex; i++) ops.push({ type: 'del', key: entryKey(i) });
      for (const e of entries) ops.push({ type: 'put', key: entryKey(e.index), value: encodeEntry(e) });
      this.lastIndex = last;
    }
    if (hardState) ops.push({ type: 'put', key: HARD_STATE_KEY, value: Buffer.from(JSON.stringify(hardState)) });
    if (ops.length === 0) return;
    await this.db.batch(ops, { sync });
  }

  /** Entries in [lo, hi) read back from disk, at most maxBytes of data (at least one entry). */
  async read(lo: number, hi: number, maxBytes: number): Promise<Entry[]> {
    const out: Entry[] = [];
    let size = 0;
    for await (const value of this.db.values({ gte: entryKey(lo), lt: entryKey(hi) })) {
      const e = decodeEntry(value);
      size += e.data.length;
      if (out.length > 0 && size > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  async saveConfState(cs: ConfState): Promise<void> {
    await this.db.put(CONF_KEY, Buffer.from(JSON.stringify(cs)), { sync: true });
  }

  /** Drop entries up to and including `index` (they are covered by a snapshot). */
  async compact(index: number): Promise<void> {
    await this.db.clear({ gte: 'e:', lte: entryKey(index) });
  }

  /** After installing a snapshot from the leader the whole log is replaced. */
  async reset(): Promise<void> {
    await this.db.clear({ gte: 'e:', lt: 'e;' });
    this.lastIndex = 0;
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
