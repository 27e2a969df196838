// JSON shapes of the HTTP API (Consul's field names and order).
import type { DirEntry } from '../structs/kv.js';

export interface DirEntryJson {
  LockIndex: number;
  Key: string;
  Flags: number;
  Value: string | null;
  Session?: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export function base64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

export function dirEntryJson(e: DirEntry): DirEntryJson {
  const out: DirEntryJson = {
    LockIndex: e.LockIndex,
    Key: e.Key,
    // A flag above 2^53 loses precision here; the KV read path writes it exactly (dirEntriesJsonText).
    Flags: Number(e.Flags),
    Value: e.Value.length === 0 ? null : base64(e.Value),
    CreateIndex: e.CreateIndex,
    ModifyIndex: e.ModifyIndex,
  };
  if (e.Session !== '') {
    return { LockIndex: out.LockIndex, Key: out.Key, Flags: out.Flags, Value: out.Value, Session: e.Session, CreateIndex: out.CreateIndex, ModifyIndex: out.ModifyIndex };
  }
  return out;
}

/**
 * KV entries as JSON text, written directly: the hottest response of the API. The layout is
 * byte-for-byte what JSON.stringify(entries.map(dirEntryJson)) gives, or with `pretty` what Go's
 * json.MarshalIndent(v, "", "    ") gives plus the trailing newline Consul appends.
 */
export function dirEntriesJsonText(entries: readonly DirEntry[], pretty: boolean): string {
  if (entries.length === 0) return pretty ? '[]\n' : '[]';
  const nl = pretty ? '\n' : '';
  const i1 = pretty ? '    ' : '';
  const i2 = pretty ? '        ' : '';
  const colon = pretty ? ': ' : ':';
  const parts: string[] = [];
  for (const e of entries) {
    const value = e.Value.length === 0 ? 'null' : `"${base64(e.Value)}"`;
    const session = e.Session !== '' ? `${i2}"Session"${colon}${JSON.stringify(e.Session)},${nl}` : '';
    parts.push(
      `${i1}{${nl}${i2}"LockIndex"${colon}${e.LockIndex},${nl}${i2}"Key"${colon}${JSON.stringify(e.Key)},${nl}` +
        `${i2}"Flags"${colon}${e.Flags},${nl}${i2}"Value"${colon}${value},${nl}${session}` +
        `${i2}"CreateIndex"${colon}${e.CreateIndex},${nl}${i2}"ModifyIndex"${colon}${e.ModifyIndex}${nl}${i1}}`,
    );
  }
  return `[${nl}${parts.join(`,${nl}`)}${nl}]${nl}`;
}
