// Serialized answers of catalog/health reads, reused while the tables they read are unchanged.
//
// Many clients poll the same query (consul-template, Prometheus service discovery, watches), and
// a large answer costs far more to build and serialize than to send. An entry is keyed by the
// request (path, query without index/wait, pretty) and valid only at the table index it was built
// at, so a write makes it stale at once; it is never served for another index.

const MAX_ENTRIES = 512;
const MAX_BYTES = 64 * 1024 * 1024;

interface Entry {
  index: number;
  body: Buffer;
}

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  /** The cached body for `key` at exactly `index`, or a fresh one from `build` (then cached). */
  get(key: string, index: number, build: () => unknown, pretty: boolean): Buffer {
    const hit = this.entries.get(key);
    if (hit && hit.index === index) {
      // Refresh recency (Map keeps insertion order: oldest first).
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.body;
    }
    const value = build();
    const body = Buffer.from(pretty ? JSON.stringify(value, null, 4) + '\n' : JSON.stringify(value));
    this.put(key, { index, body });
    return body;
  }

  private put(key: string, e: Entry): void {
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.body.length;
      this.entries.delete(key);
    }
    if (e.body.length > MAX_BYTES / 4) return; // too big to be worth keeping
    this.entries.set(key, e);
    this.bytes += e.body.length;
    for (const [k, v] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES && this.bytes <= MAX_BYTES) break;
      this.entries.delete(k);
      this.bytes -= v.body.length;
    }
  }
}

/** The cache key of a request: path plus its query without the blocking parameters. */
export function cacheKey(path: string, query: URLSearchParams, pretty: boolean): string {
  const q = [...query.entries()].filter(([k]) => k !== 'index' && k !== 'wait').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${pretty ? 'p' : 'c'}${path}?${new URLSearchParams(q).toString()}`;
}
