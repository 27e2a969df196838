// One serialized answer per KV entry version, shared by every request that reads it.
//
// When a write wakes 10,000 blocking queries parked on one key, each one would otherwise build
// the same JSON text and encode it to UTF-8 again: 10,000 strings and buffers of garbage at the
// moment latency matters most. A DirEntry object is immutable once committed (a write stores a
// new object: state/kvs.ts), so the bytes can hang off the entry itself: they live exactly as
// long as that version does, and a new index is a new entry, so nothing is ever stale.
import type { DirEntry } from '../structs/kv.js';
import { dirEntriesJsonText } from './encode.js';

const compact = new WeakMap<DirEntry, Buffer>();
const indented = new WeakMap<DirEntry, Buffer>();

/** `[entry]` as Consul's JSON bytes (indented when `pretty`), built once per entry version. */
export function dirEntryJsonBytes(entry: DirEntry, pretty: boolean): Buffer {
  const cache = pretty ? indented : compact;
  let bytes = cache.get(entry);
  if (!bytes) {
    bytes = Buffer.from(dirEntriesJsonText([entry], pretty));
    cache.set(entry, bytes);
  }
  return bytes;
}
