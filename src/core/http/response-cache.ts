// Serialized answers of catalog/health reads, reused while the tables they read are unchanged.
//
// Many clients poll the same query (consul-template, Prometheus service discovery, watches), and
// a large answer costs far more to build and serialize than to send. An entry is keyed by the
// request (path, query without index/wait, pretty) and valid only at the table index it was built
// at, so a write makes it stale at once; it is never served for another index.
//
// With ACLs on, an answer is filtered for one token's authorizer: it is shared only by requests
// that resolved to the very same Authorizer object (the resolver hands out one per token and
// policy version, and an Authorizer never changes its answers), and it remembers whether the
// filtering dropped anything, so a hit sets X-Consul-Results-Filtered-By-ACLs as the build did.
// A restricted token never sees another token's answer, nor an unfiltered one. ACLs off: the key
// and the path are exactly as before.
import type { Authorizer, RequestAcl } from '../acl/index.js';

const MAX_ENTRIES = 512;
const MAX_BYTES = 64 * 1024 * 1024;

interface Entry {
  index: number;
  body: Buffer;
  /** ACLs on: the build dropped entries this authorizer may not read. */
  filtered: boolean;
}

const authzIds = new WeakMap<Authorizer, number>();
let nextAuthzId = 1;

/** A process-unique number per Authorizer object (never reused, so never confused). */
function authzId(a: Authorizer): number {
  let id = authzIds.get(a);
  if (id === undefined) authzIds.set(a, (id = nextAuthzId++));
  return id;
}

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  /**
   * The cached body for `key` at exactly `index`, or a fresh one from `build` (then cached).
   * `acl`: the request's identity when ACLs are on (`build` filters with it).
   */
  get(key: string, index: number, build: () => unknown, pretty: boolean, acl?: RequestAcl): Buffer {
    if (acl?.enabled) key = `${key}\u0000${authzId(acl.authz)}`;
    const hit = this.entries.get(key);
    if (hit && hit.index === index) {
      // Refresh recency (Map keeps insertion order: oldest first).
      this.entries.delete(key);
      this.entries.set(key, hit);
      if (acl?.enabled) acl.filtered = hit.filtered;
      return hit.body;
    }
    if (acl?.enabled) acl.filtered = false;
    const value = build();
    const body = Buffer.from(pretty ? JSON.stringify(value, null, 4) + '\n' : JSON.stringify(value));
    this.put(key, { index, body, filtered: acl?.enabled === true && acl.filtered });
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
