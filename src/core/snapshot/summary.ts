// What `consul snapshot inspect` tabulates: records per type, with their encoded size.
import { forEachRecord, recordTypeName } from '../fsm/records.js';

export interface TypeSummary {
  type: string;
  count: number;
  size: number;
}

/** Counts and sizes per record type, sorted by size (largest first), then by name, as Consul does. */
export function summarizeState(state: Uint8Array): TypeSummary[] {
  const byType = new Map<string, TypeSummary>();
  forEachRecord(state, (type, body) => {
    const name = recordTypeName(type);
    const s = byType.get(name) ?? { type: name, count: 0, size: 0 };
    s.count += 1;
    s.size += body.length + 5;
    byType.set(name, s);
  });
  return [...byType.values()].sort((a, b) => b.size - a.size || a.type.localeCompare(b.type));
}
