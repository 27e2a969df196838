// KV wire and domain types (Consul: agent/structs/structs.go DirEntry, api/kv.go KVPair).

/**
 * A uint64 (Consul's DirEntry.Flags): a number while it is a safe integer, otherwise its exact
 * decimal text. JS numbers lose precision above 2^53, and the flag values Consul's lock and
 * semaphore write (0x2ddccbc058a50c18, 0xe0f69a2baa414de0) are above it.
 */
export type KvFlags = number | string;

export interface DirEntry {
  readonly Key: string;
  /** Raw bytes; an empty value is encoded as JSON null on the wire. */
  readonly Value: Uint8Array;
  readonly Flags: KvFlags;
  readonly LockIndex: number;
  /** Session ID holding the lock, '' if none. */
  readonly Session: string;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
}

/** The KV operations of KVS.Apply (Consul: api.KVOp / structs.DirEntryOp). */
export type KvsOp = 'set' | 'cas' | 'delete' | 'delete-cas' | 'delete-tree' | 'lock' | 'unlock';

export interface KvsRequest {
  readonly op: KvsOp;
  readonly key: string;
  readonly value: Uint8Array;
  readonly flags: KvFlags;
  readonly session: string;
  /** For cas / delete-cas: the ModifyIndex the entry must have (0 = must not exist). */
  readonly index: number;
}
