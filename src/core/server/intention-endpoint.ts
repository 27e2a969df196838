// Intention and config-entry writes on the leader (Consul: agent/consul/intention_endpoint.go,
// config_endpoint.go). Intentions are sources of `service-intentions` entries; one change to an
// intention is a read-modify-write of its destination's entry, made safe by CAS on ModifyIndex.
import { HttpError } from '../errors.js';
import { intentionsOfEntry, sortByPrecedence } from '../connect/intentions.js';
import { configEntryGet, configEntryList, type ConfigEntryInput } from '../state/config-entries.js';
import type { StateStore } from '../state/store.js';
import type { ConfigEntry, Intention, SourceIntention } from '../structs/connect.js';
import { intentionPrecedence } from '../connect/intentions.js';
import type { Server } from './server.js';

export const INTENTIONS_KIND = 'service-intentions';

export async function configEntrySet(server: Server, entry: ConfigEntryInput, casIndex?: number): Promise<boolean> {
  const r = await server.apply({ t: 'config-entry', v: 1, op: 'set', entry, casIndex });
  if (r.t === 'error') throw new HttpError(500, r.message);
  return r.t === 'bool' && r.value;
}

export async function configEntryDelete(server: Server, kind: string, name: string, casIndex?: number): Promise<boolean> {
  const r = await server.apply({ t: 'config-entry', v: 1, op: 'delete', kind, name, casIndex });
  if (r.t === 'error') throw new HttpError(500, r.message);
  return r.t === 'bool' && r.value;
}

/** Every intention, highest precedence first (Consul: IntentionList's order). */
export function allIntentions(store: StateStore): Intention[] {
  return sortByPrecedence(configEntryList(store, INTENTIONS_KIND).flatMap(intentionsOfEntry));
}

export function intentionsIndex(store: StateStore): number {
  return store.maxIndex('config-entries');
}

/** The entry and source holding a legacy intention ID. */
export function findIntentionById(store: StateStore, id: string): { entry: ConfigEntry; source: SourceIntention } | undefined {
  for (const entry of configEntryList(store, INTENTIONS_KIND)) {
    const source = ((entry.Sources as SourceIntention[] | undefined) ?? []).find((s) => s.LegacyID === id);
    if (source) return { entry, source };
  }
  return undefined;
}

export function findIntentionExact(store: StateStore, source: string, destination: string): Intention | undefined {
  const entry = configEntryGet(store, INTENTIONS_KIND, destination);
  return entry ? intentionsOfEntry(entry).find((i) => i.SourceName === source) : undefined;
}

/**
 * Change one source of `destination`'s entry: `mutate` gets the current source (or undefined)
 * and returns the new one, or undefined to remove it. An entry left with no sources is deleted.
 */
export async function updateSource(
  server: Server,
  source: string,
  destination: string,
  mutate: (current: SourceIntention | undefined) => SourceIntention | undefined,
): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const entry = configEntryGet(server.store, INTENTIONS_KIND, destination);
    const sources = [...((entry?.Sources as SourceIntention[] | undefined) ?? [])];
    const at = sources.findIndex((s) => s.Name === source);
    const next = mutate(at >= 0 ? sources[at] : undefined);
    if (next) {
      next.Precedence = intentionPrecedence(source, destination);
      if (at >= 0) sources[at] = next;
      else sources.push(next);
    } else if (at >= 0) sources.splice(at, 1);
    else return;
    const cas = entry?.ModifyIndex ?? 0;
    const ok =
      sources.length === 0
        ? await configEntryDelete(server, INTENTIONS_KIND, destination, cas)
        : await configEntrySet(server, { ...(entry ?? {}), Kind: INTENTIONS_KIND, Name: destination, Sources: sources, CreateIndex: undefined, ModifyIndex: undefined }, cas);
    if (ok) return;
  }
  throw new HttpError(500, 'intention update conflicted with concurrent writes, retry');
}
