// Rules text -> Authorizer for the ACL tests. Uses the ACL system's own compiler (rules.ts +
// policy.ts) when it is present; until then, a small reader of the subset the tests write:
//   key_prefix "app/" { policy = "read" }     node "x" { policy = "write" }     operator = "read"
// Most specific wins: an exact rule over any prefix, a longer prefix over a shorter one.
import type { Authorizer } from '../../src/core/acl/index.js';

type Level = 'deny' | 'read' | 'list' | 'write';
const RANK: Record<Level, number> = { deny: 0, read: 1, list: 2, write: 3 };

interface Rule {
  name: string;
  exact: boolean;
  level: Level;
  intentions?: Level;
}

export function compileTestRules(text: string, defaultPolicy: 'allow' | 'deny'): Authorizer {
  const segs = new Map<string, Rule[]>();
  const flat = new Map<string, Level>();
  const block = /(\w+?)(_prefix)?\s+"([^"]*)"\s*\{([^}]*)\}/g;
  for (const m of text.matchAll(block)) {
    const [, res, prefix, name, body] = m as unknown as [string, string, string | undefined, string, string];
    const level = /policy\s*=\s*"(\w+)"/.exec(body)?.[1] as Level;
    const intentions = /intentions\s*=\s*"(\w+)"/.exec(body)?.[1] as Level | undefined;
    const list = segs.get(res) ?? [];
    list.push({ name, exact: prefix === undefined, level, intentions });
    segs.set(res, list);
  }
  for (const m of text.replace(block, '').matchAll(/(\w+)\s*=\s*"(\w+)"/g)) flat.set(m[1] as string, m[2] as Level);
  const dflt: Level = defaultPolicy === 'allow' ? 'write' : 'deny';

  const governing = (res: string, name: string): Rule | undefined => {
    let best: Rule | undefined;
    for (const r of segs.get(res) ?? []) {
      if (r.exact ? r.name !== name : !name.startsWith(r.name)) continue;
      if (!best || (r.exact && !best.exact) || (r.exact === best.exact && r.name.length > best.name.length)) best = r;
    }
    return best;
  };
  const level = (res: string, name: string): Level => governing(res, name)?.level ?? dflt;
  const at = (res: string, name: string, want: Level): boolean => RANK[level(res, name)] >= RANK[want] && (want !== 'list' || level(res, name) !== 'read');
  const flatAt = (res: string, want: Level): boolean => RANK[flat.get(res) ?? dflt] >= RANK[want];
  const anyAt = (res: string, want: Level): boolean =>
    (segs.get(res) ?? []).some((r) => RANK[r.level] >= RANK[want]) || RANK[dflt] >= RANK[want];
  const allAt = (res: string, want: Level): boolean => RANK[dflt] >= RANK[want] && (segs.get(res) ?? []).every((r) => RANK[r.level] >= RANK[want]);
  const intention = (name: string, want: Level): boolean => {
    const r = governing('service', name);
    if (!r) return RANK[dflt] >= RANK[want];
    const lvl = r.intentions ?? (RANK[r.level] >= RANK.read ? 'read' : 'deny');
    return RANK[lvl] >= RANK[want];
  };
  return {
    aclRead: () => flatAt('acl', 'read'),
    aclWrite: () => flatAt('acl', 'write'),
    agentRead: (n) => at('agent', n, 'read'),
    agentWrite: (n) => at('agent', n, 'write'),
    eventRead: (n) => at('event', n, 'read'),
    eventWrite: (n) => at('event', n, 'write'),
    intentionRead: (n) => intention(n, 'read'),
    intentionWrite: (n) => intention(n, 'write'),
    intentionDefaultAllow: () => defaultPolicy === 'allow',
    keyRead: (k) => at('key', k, 'read'),
    keyList: (k) => at('key', k, 'list'),
    keyWrite: (k) => at('key', k, 'write'),
    keyWritePrefix: (p) => at('key', p, 'write') && (segs.get('key') ?? []).every((r) => !r.name.startsWith(p) || r.level === 'write'),
    keyringRead: () => flatAt('keyring', 'read'),
    keyringWrite: () => flatAt('keyring', 'write'),
    meshRead: () => flatAt('mesh', 'read') || flatAt('operator', 'read'),
    meshWrite: () => flatAt('mesh', 'write') || flatAt('operator', 'write'),
    nodeRead: (n) => at('node', n, 'read'),
    nodeReadAll: () => allAt('node', 'read'),
    nodeWrite: (n) => at('node', n, 'write'),
    operatorRead: () => flatAt('operator', 'read'),
    operatorWrite: () => flatAt('operator', 'write'),
    preparedQueryRead: (n) => at('query', n, 'read'),
    preparedQueryWrite: (n) => at('query', n, 'write'),
    serviceRead: (n) => at('service', n, 'read'),
    serviceReadAll: () => allAt('service', 'read'),
    serviceWrite: (n) => at('service', n, 'write'),
    serviceWriteAny: () => anyAt('service', 'write'),
    sessionRead: (n) => at('session', n, 'read'),
    sessionWrite: (n) => at('session', n, 'write'),
    snapshot: () => flatAt('acl', 'write'),
  };
}
