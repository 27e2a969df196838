// KV dependencies (consul-template dependency/kv_get.go, kv_list.go): one key (key, keyExists,
// keyOrDefault) and one prefix (ls, tree, safeLs, safeTree), with the same names and shapes.
import type { HttpTransport } from '../../client/index.js';
import { anchored, dcRe, type Dependency, DependencyParseError, type FetchResult, getJson, keyRe, prefixRe, type QueryOptions, queryRe } from './dependency.js';
import { KeyPair } from './structs.js';

const kvGetRe = anchored(keyRe, queryRe, dcRe);
const kvListRe = anchored(prefixRe, queryRe, dcRe);

interface KvJson {
  Key: string;
  Value: string | null;
  CreateIndex: number;
  ModifyIndex: number;
  LockIndex: number;
  Flags: number;
  Session?: string;
}

const decode = (v: string | null): string => (v === null ? '' : Buffer.from(v, 'base64').toString('utf8'));

/** One key; its data is the value, or null when the key does not exist. */
export class KVGetQuery implements Dependency {
  readonly kind = 'consul';
  readonly id: string;
  readonly key: string;
  private readonly dc: string;
  private blockOnNil = false;

  constructor(s: string) {
    const m = kvGetRe.exec(s);
    if (!m?.groups) throw new DependencyParseError(`kv.get: invalid format: ${JSON.stringify(s)}`);
    this.key = m.groups.key ?? '';
    this.dc = m.groups.dc ?? '';
    this.id = `kv.get(${this.key}${this.dc ? `@${this.dc}` : ''})`;
  }

  /** `key` blocks until the key exists (consul-template's EnableBlocking). */
  enableBlocking(): this {
    this.blockOnNil = true;
    return this;
  }

  async fetch(http: HttpTransport, opts: QueryOptions, signal: AbortSignal): Promise<FetchResult> {
    const res = await getJson(http, `/v1/kv/${this.key}`, { dc: this.dc || undefined }, opts, signal);
    const pairs = res.body as KvJson[] | null;
    const data = pairs && pairs.length > 0 ? decode(pairs[0]!.Value) : null;
    return { data, lastIndex: res.lastIndex, lastContactMs: res.lastContactMs, blockOnNil: this.blockOnNil };
  }
}

/** Every key under a prefix, with Key relative to the prefix. */
export class KVListQuery implements Dependency {
  readonly kind = 'consul';
  readonly id: string;
  readonly prefix: string;
  private readonly dc: string;

  constructor(s: string) {
    const m = s === '' ? null : kvListRe.exec(s);
    if (s !== '' && !m?.groups) throw new DependencyParseError(`kv.list: invalid format: ${JSON.stringify(s)}`);
    this.prefix = m?.groups?.prefix ?? '';
    this.dc = m?.groups?.dc ?? '';
    this.id = `kv.list(${this.prefix}${this.dc ? `@${this.dc}` : ''})`;
  }

  async fetch(http: HttpTransport, opts: QueryOptions, signal: AbortSignal): Promise<FetchResult> {
    const res = await getJson(http, `/v1/kv/${this.prefix}`, { dc: this.dc || undefined, recurse: true }, opts, signal);
    const list = ((res.body ?? []) as KvJson[]).map((p) => {
      const key = p.Key.startsWith(this.prefix) ? p.Key.slice(this.prefix.length).replace(/^\/+/, '') : p.Key.replace(/^\/+/, '');
      return new KeyPair(p.Key, key, decode(p.Value), p.CreateIndex, p.ModifyIndex, p.LockIndex, p.Flags, p.Session ?? '');
    });
    return { data: list, lastIndex: res.lastIndex, lastContactMs: res.lastContactMs };
  }
}
