// Where KV values live in memory (issue 16 item 1: bytes per key).
//
// A value arrives as a view into the Raft entry being applied; the state store must not keep that
// entry alive, so it copies. A copy of its own per value costs far more than the bytes: a
// JSArrayBuffer (88 B on the V8 heap), a C++ BackingStore and a malloc'd block outside it, on top
// of the Uint8Array view (96 B) that every value needs anyway. So small values written by one
// transaction are copied into ONE exact-size buffer at commit, each entry keeping a view into it.
//
// MUST: a packed buffer holds only values written together by one transaction, and only values up
// to PACK_MAX_BYTES, so one surviving value can keep at most (ops per txn x PACK_MAX_BYTES) alive
// (64 x 512 B = 32 KiB), never an unrelated transaction's data or a whole Raft entry.
import type { DirEntry } from '../structs/kv.js';
import type { BTree } from './btree.js';

export const PACK_MAX_BYTES = 512;
const EMPTY = new Uint8Array(0);

export class ValuePacker {
  /** Values handed to entries in this txn, still views into their source (the Raft entry). */
  private readonly held = new Set<Uint8Array>();

  /** The Value to put in a new entry: small ones are held for pack(); large ones copied now. */
  hold(value: Uint8Array): Uint8Array {
    if (value.length === 0) return EMPTY;
    if (value.length > PACK_MAX_BYTES) return value.slice();
    this.held.add(value);
    return value;
  }

  /**
   * Copy the held values still referenced by the entries at `keys` into one buffer and point the
   * entries at it. Only entries created by this txn can hold such a view (committed entries were
   * packed by their own txn), so the in-place update is invisible to readers.
   */
  pack(kvs: BTree<string, DirEntry>, keys: readonly string[]): void {
    if (this.held.size === 0) return;
    const live: { entry: DirEntry; value: Uint8Array }[] = [];
    const seen = new Set<string>();
    let total = 0;
    for (const key of keys) {
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = kvs.get(key);
      if (!entry || !this.held.has(entry.Value)) continue;
      live.push({ entry, value: entry.Value });
      total += entry.Value.length;
    }
    this.held.clear();
    const slab = new Uint8Array(total);
    let at = 0;
    for (const { entry, value } of live) {
      slab.set(value, at);
      (entry as { Value: Uint8Array }).Value = slab.subarray(at, at + value.length);
      at += value.length;
    }
  }
}
