// The prepared query table (Consul: agent/consul/state/prepared_query.go): queries by ID, their
// names unique, templates matched by the longest name prefix, and queries bound to a session
// deleted with it.
//
// MUST: pure and deterministic (the FSM applies it on every server); the leader makes IDs.
import { CompiledTemplate, TemplateError } from '../query/template.js';
import { isTemplate, type PreparedQuery } from '../query/types.js';
import { StateError } from './errors.js';
import type { StateStore, WriteTxn } from './store.js';

/** Consul's UUID shape check for "is this an ID, not a name". */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function preparedQuerySetTxn(txn: WriteTxn, query: PreparedQuery): void {
  const t = txn.tables;
  const existing = t.preparedQueries.get(query.ID);
  if (query.Name !== '') {
    for (const other of t.preparedQueries.values()) {
      if (other.ID !== query.ID && other.Name === query.Name) throw new StateError(`name '${query.Name}' aliases an existing query name`);
    }
    if (t.preparedQueries.has(query.Name) && query.Name !== query.ID) throw new StateError(`name '${query.Name}' aliases an existing query ID`);
  }
  if (query.Session !== '' && !t.sessions.has(query.Session)) throw new StateError(`invalid session ${JSON.stringify(query.Session)}`);
  if (isTemplate(query)) {
    try {
      CompiledTemplate.compile(query);
    } catch (err) {
      if (err instanceof TemplateError) throw new StateError(`failed compiling template: ${err.message}`);
      throw err;
    }
  }
  t.preparedQueries.set(query.ID, { ...query, CreateIndex: existing?.CreateIndex ?? txn.index, ModifyIndex: txn.index });
  txn.touch('prepared-queries');
}

export function preparedQueryDeleteTxn(txn: WriteTxn, id: string): void {
  if (txn.tables.preparedQueries.delete(id)) txn.touch('prepared-queries');
}

/** A session went away: the queries bound to it go too (Consul: deleteSessionTxn). */
export function deleteSessionQueriesTxn(txn: WriteTxn, session: string): void {
  const gone: string[] = [];
  for (const q of txn.tables.preparedQueries.values()) if (q.Session === session) gone.push(q.ID);
  for (const id of gone) txn.tables.preparedQueries.delete(id);
  if (gone.length > 0) txn.touch('prepared-queries');
}

export function preparedQueryGet(store: StateStore, id: string): PreparedQuery | undefined {
  return store.tables.preparedQueries.get(id);
}

export function preparedQueryList(store: StateStore): PreparedQuery[] {
  return [...store.tables.preparedQueries.values()];
}

/**
 * The query `idOrName` names (Consul: PreparedQueryResolve): an ID; else an exact name; else the
 * template with the longest name prefix of it (an empty-named template catches everything).
 * Templates come back rendered for the name.
 */
export function preparedQueryResolve(store: StateStore, idOrName: string, segment = ''): PreparedQuery | undefined {
  if (idOrName === '') return undefined;
  const t = store.tables.preparedQueries;
  if (UUID.test(idOrName)) {
    const byId = t.get(idOrName);
    if (byId) return byId;
  }
  let exact: PreparedQuery | undefined;
  let best: PreparedQuery | undefined;
  for (const q of t.values()) {
    if (q.Name === idOrName) exact = q;
    if (isTemplate(q) && idOrName.startsWith(q.Name) && (best === undefined || q.Name.length > best.Name.length)) best = q;
  }
  const found = exact ?? best;
  if (!found) return undefined;
  if (!isTemplate(found)) return found;
  return CompiledTemplate.compile(found).render(idOrName, segment);
}
