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
    Flags: e.Flags,
    Value: e.Value.length === 0 ? null : base64(e.Value),
    CreateIndex: e.CreateIndex,
    ModifyIndex: e.ModifyIndex,
  };
  if (e.Session !== '') {
    return { LockIndex: out.LockIndex, Key: out.Key, Flags: out.Flags, Value: out.Value, Session: e.Session, CreateIndex: out.CreateIndex, ModifyIndex: out.ModifyIndex };
  }
  return out;
}
