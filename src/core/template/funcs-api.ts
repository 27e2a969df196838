// consul-template's API functions (template/funcs.go): each builds a dependency from its string
// argument, records it as used, and answers from the brain, or records it as missing and answers
// an empty value. A template renders only when nothing it used is missing.
import type { Brain } from './brain.js';
import {
  CatalogDatacentersQuery, CatalogNodeQuery, CatalogNodesQuery, CatalogServicesQuery, type Dependency, FileQuery,
  HealthServiceQuery, type KeyPair, KVGetQuery, KVListQuery,
} from './dependency/index.js';
import { type FuncMap, variadic } from './text/index.js';

/** Dependencies seen during one execution, by id, in first-use order. */
export class DepSet {
  private readonly map = new Map<string, Dependency>();
  add(d: Dependency): void {
    if (!this.map.has(d.id)) this.map.set(d.id, d);
  }
  has(id: string): boolean {
    return this.map.has(id);
  }
  list(): Dependency[] {
    return [...this.map.values()];
  }
  get size(): number {
    return this.map.size;
  }
}

export function apiFuncs(brain: Brain, used: DepSet, missing: DepSet): FuncMap {
  const recall = (d: Dependency): { ok: boolean; value?: unknown } => {
    used.add(d);
    const r = brain.recall(d.id);
    if (r.ok) return { ok: true, value: r.value };
    missing.add(d);
    return { ok: false };
  };
  const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

  const lsOrTree = (keep: (p: KeyPair) => boolean, emptyIsSafe: boolean) => (s: unknown): KeyPair[] => {
    const prefix = str(s);
    if (prefix === '') return [];
    const d = new KVListQuery(prefix);
    used.add(d);
    const r = brain.recall(d.id);
    if (r.ok) {
      const result = (r.value as KeyPair[]).filter(keep);
      if (result.length > 0 || emptyIsSafe) return result;
    }
    missing.add(d);
    return [];
  };
  const lsKeep = (p: KeyPair) => p.Key !== '' && !p.Key.includes('/');
  const treeKeep = (p: KeyPair) => !p.Key.endsWith('/') && p.Key !== '';

  return {
    datacenters: variadic((...ignore: unknown[]) => {
      if (ignore.length > 1) throw new Error(`datacenters: wrong number of arguments, expected 0 or 1, but got ${ignore.length}`);
      const r = recall(new CatalogDatacentersQuery(ignore[0] === true));
      return r.ok ? r.value : [];
    }),
    file: (s: unknown) => {
      const path = str(s).trim();
      if (path === '') return '';
      const r = recall(new FileQuery(path));
      return r.ok ? str(r.value) : '';
    },
    key: (s: unknown) => {
      const k = str(s);
      if (k === '') return '';
      const r = recall(new KVGetQuery(k).enableBlocking());
      return r.ok ? str(r.value) : '';
    },
    keyExists: (s: unknown) => {
      const k = str(s);
      if (k === '') return false;
      const r = recall(new KVGetQuery(k));
      return r.ok ? r.value !== null : false;
    },
    keyOrDefault: (s: unknown, def: unknown) => {
      const k = str(s);
      if (k === '') return str(def);
      const r = recall(new KVGetQuery(k));
      return r.ok && r.value !== null && r.value !== '' ? str(r.value) : str(def);
    },
    ls: lsOrTree(lsKeep, true),
    safeLs: lsOrTree(lsKeep, false),
    tree: lsOrTree(treeKeep, true),
    safeTree: lsOrTree(treeKeep, false),
    node: variadic((...s: unknown[]) => {
      const r = recall(new CatalogNodeQuery(s.map(str).join('')));
      return r.ok ? r.value : null;
    }),
    nodes: variadic((...s: unknown[]) => {
      const r = recall(new CatalogNodesQuery(s.map(str).join('')));
      return r.ok ? r.value : [];
    }),
    service: variadic((...s: unknown[]) => {
      if (s.length === 0 || str(s[0]) === '') return [];
      const r = recall(new HealthServiceQuery(s.map(str).join('|')));
      return r.ok ? r.value : [];
    }),
    services: variadic((...s: unknown[]) => {
      const r = recall(new CatalogServicesQuery(s.map(str).join('')));
      return r.ok ? r.value : [];
    }),
  };
}
