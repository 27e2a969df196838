// KV endpoints (/v1/kv/...), as Consul's api/kv.go exposes them. Values are bytes; the HTTP API
// carries them base64-encoded in JSON (null for an empty value).
import { StatusError } from './errors.js';
import { type HttpTransport, type QueryOptions, type QueryMeta, parseJson, parseQueryMeta, type Query } from './http.js';

export interface KVPair {
  Key: string;
  CreateIndex: number;
  ModifyIndex: number;
  LockIndex: number;
  Flags: number;
  Value: Buffer;
  Session: string;
  Namespace?: string;
  Partition?: string;
}

/** The JSON shape on the wire. */
interface WireKVPair {
  Key: string;
  CreateIndex?: number;
  ModifyIndex?: number;
  LockIndex?: number;
  Flags?: number;
  Value?: string | null;
  Session?: string;
  Namespace?: string;
  Partition?: string;
}

/** What a write sends: the key, its bytes, flags, and (for CAS/lock) index or session. */
export interface KVWrite {
  Key: string;
  Value?: Uint8Array;
  /** A uint64; pass values above 2^53 as decimal text so they reach the agent exactly. */
  Flags?: number | string;
  ModifyIndex?: number;
  Session?: string;
}

function fromWire(w: WireKVPair): KVPair {
  const pair: KVPair = {
    Key: w.Key,
    CreateIndex: w.CreateIndex ?? 0,
    ModifyIndex: w.ModifyIndex ?? 0,
    LockIndex: w.LockIndex ?? 0,
    Flags: w.Flags ?? 0,
    Value: w.Value ? Buffer.from(w.Value, 'base64') : Buffer.alloc(0),
    Session: w.Session ?? '',
  };
  if (w.Namespace) pair.Namespace = w.Namespace;
  if (w.Partition) pair.Partition = w.Partition;
  return pair;
}

/** Blocking-query options (Go: QueryOptions.WaitIndex / WaitTime / RequireConsistent). */
export interface KvQueryOptions extends QueryOptions {
  waitIndex?: number;
  /** Milliseconds; sent as `wait=<n>ms`. */
  waitTimeMs?: number;
  requireConsistent?: boolean;
  signal?: AbortSignal;
}

function readQuery(opts: KvQueryOptions | undefined, extra: Query = {}): Query {
  const q: Query = { ...extra, ...(opts?.allowStale ? { stale: true } : {}) };
  if (opts?.requireConsistent) q.consistent = true;
  if (opts?.waitIndex) q.index = opts.waitIndex;
  if (opts?.waitTimeMs) q.wait = `${Math.round(opts.waitTimeMs)}ms`;
  return q;
}

function parseBool(body: Buffer): boolean {
  return body.toString('utf8').trim() === 'true';
}

export class KvApi {
  constructor(private readonly http: HttpTransport) {}

  /** A single key, or null when it does not exist (404). */
  async get(key: string, opts?: KvQueryOptions): Promise<{ pair: KVPair | null; meta: QueryMeta }> {
    const res = await this.http.send({ method: 'GET', path: `/v1/kv/${key}`, query: readQuery(opts), signal: opts?.signal });
    if (res.statusCode === 404) return { pair: null, meta: parseQueryMeta(res) };
    if (res.statusCode !== 200) throw new StatusError(res.statusCode, res.body.toString('utf8'));
    const list = parseJson<WireKVPair[] | null>(res) ?? [];
    return { pair: list.length > 0 ? fromWire(list[0]!) : null, meta: parseQueryMeta(res) };
  }

  /** Every pair under `prefix` (`?recurse`), sorted by key as the agent returns them. */
  async list(prefix: string, opts?: QueryOptions): Promise<KVPair[]> {
    return (await this.listWithMeta(prefix, opts)).pairs;
  }

  /** list() with the query meta, for blocking on the prefix. */
  async listWithMeta(prefix: string, opts?: KvQueryOptions): Promise<{ pairs: KVPair[]; meta: QueryMeta }> {
    const res = await this.http.send({ method: 'GET', path: `/v1/kv/${prefix}`, query: readQuery(opts, { recurse: true }), signal: opts?.signal });
    if (res.statusCode === 404) return { pairs: [], meta: parseQueryMeta(res) };
    if (res.statusCode !== 200) throw new StatusError(res.statusCode, res.body.toString('utf8'));
    return { pairs: (parseJson<WireKVPair[] | null>(res) ?? []).map(fromWire), meta: parseQueryMeta(res) };
  }

  /** Key names under `prefix`, rolled up at `separator` (`?keys&separator=`). */
  async keys(prefix: string, separator: string, opts?: QueryOptions): Promise<string[]> {
    const query: Query = { keys: true };
    if (separator !== '') query.separator = separator;
    const res = await this.http.send({ method: 'GET', path: `/v1/kv/${prefix}`, query: readQuery(opts, query) });
    if (res.statusCode === 404) return [];
    if (res.statusCode !== 200) throw new StatusError(res.statusCode, res.body.toString('utf8'));
    return parseJson<string[] | null>(res) ?? [];
  }

  private async write(p: KVWrite, query: Query): Promise<boolean> {
    if (p.Flags) query.flags = p.Flags;
    const res = await this.http.sendOk({
      method: 'PUT',
      path: `/v1/kv/${p.Key}`,
      query,
      body: p.Value ?? new Uint8Array(0),
    });
    return parseBool(res.body);
  }

  /** Plain write. Like Go's KV().Put, the agent's true/false answer is not reported. */
  async put(p: KVWrite): Promise<void> {
    await this.write(p, {});
  }

  /** Check-and-set on ModifyIndex (0 = only if absent). */
  cas(p: KVWrite): Promise<boolean> {
    return this.write(p, { cas: p.ModifyIndex ?? 0 });
  }

  acquire(p: KVWrite): Promise<boolean> {
    return this.write(p, { acquire: p.Session ?? '' });
  }

  release(p: KVWrite): Promise<boolean> {
    return this.write(p, { release: p.Session ?? '' });
  }

  async delete(key: string): Promise<void> {
    await this.http.sendOk({ method: 'DELETE', path: `/v1/kv/${key}` });
  }

  async deleteCAS(key: string, modifyIndex: number): Promise<boolean> {
    const res = await this.http.sendOk({ method: 'DELETE', path: `/v1/kv/${key}`, query: { cas: modifyIndex } });
    return parseBool(res.body);
  }

  async deleteTree(prefix: string): Promise<void> {
    await this.http.sendOk({ method: 'DELETE', path: `/v1/kv/${prefix}`, query: { recurse: true } });
  }
}
