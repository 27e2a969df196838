// The typed, versioned commands that travel through the Raft log (Consul: structs.MessageType).
//
// MUST: an encoded command is forever: a log written by this version must decode in every later
// one. Change a command by adding a new version number, never by changing what an old one means.
import { decode, Encoder } from '@msgpack/msgpack';
import type { KvsRequest } from '../structs/kv.js';
import type { DeregisterRequest, RegisterRequest } from '../structs/catalog.js';
import type { TxnKvOp } from '../state/txn.js';
import type { SessionInput } from '../structs/session.js';
import type { CaConfigInput, CaRootInput } from '../state/connect-ca.js';
import type { ConfigEntryInput } from '../state/config-entries.js';
import type { AclPolicyInput, AclRoleInput, AclTokenInput } from '../structs/acl.js';
import type { CoordinateEntry } from '../state/coordinates.js';
import type { PreparedQuery } from '../query/types.js';

export type FsmCommand =
  | { readonly t: 'kvs'; readonly v: 1; readonly req: KvsRequest }
  | { readonly t: 'txn'; readonly v: 1; readonly ops: readonly TxnKvOp[] }
  | { readonly t: 'register'; readonly v: 1; readonly req: RegisterRequest }
  | { readonly t: 'deregister'; readonly v: 1; readonly req: DeregisterRequest }
  | { readonly t: 'tombstone-reap'; readonly v: 1; readonly index: number }
  /** Consul: SessionRequestType. The leader generates the ID before proposing a create. */
  | { readonly t: 'session'; readonly v: 1; readonly op: 'create'; readonly session: SessionInput }
  | { readonly t: 'session'; readonly v: 1; readonly op: 'destroy'; readonly id: string }
  /** Consul: ConnectCARequestType. Keys and certificates are made by the leader before proposing. */
  | {
      readonly t: 'connect-ca';
      readonly v: 1;
      readonly mode: 'initialize' | 'set';
      readonly config: CaConfigInput;
      readonly roots: readonly CaRootInput[];
      readonly casIndex?: number;
    }
  /** Consul: ConfigEntryRequestType (upsert, CAS, delete). Intentions are service-intentions entries. */
  | { readonly t: 'config-entry'; readonly v: 1; readonly op: 'set'; readonly entry: ConfigEntryInput; readonly casIndex?: number }
  | { readonly t: 'config-entry'; readonly v: 1; readonly op: 'delete'; readonly kind: string; readonly name: string; readonly casIndex?: number }
  /** Consul: ACLBootstrapRequestType. `resetIndex` is the acl-bootstrap-reset file's index, or 0. */
  | { readonly t: 'acl-bootstrap'; readonly v: 1; readonly token: AclTokenInput; readonly resetIndex: number }
  /** Consul: ACLTokenSetRequestType / ACLTokenDeleteRequestType (batches). */
  | { readonly t: 'acl-token'; readonly v: 1; readonly op: 'set'; readonly tokens: readonly AclTokenInput[] }
  | { readonly t: 'acl-token'; readonly v: 1; readonly op: 'delete'; readonly ids: readonly string[] }
  /** Consul: ACLPolicySetRequestType / ACLPolicyDeleteRequestType. */
  | { readonly t: 'acl-policy'; readonly v: 1; readonly op: 'set'; readonly policies: readonly AclPolicyInput[] }
  | { readonly t: 'acl-policy'; readonly v: 1; readonly op: 'delete'; readonly ids: readonly string[] }
  /** Consul: ACLRoleSetRequestType / ACLRoleDeleteRequestType. */
  | { readonly t: 'acl-role'; readonly v: 1; readonly op: 'set'; readonly roles: readonly AclRoleInput[] }
  | { readonly t: 'acl-role'; readonly v: 1; readonly op: 'delete'; readonly ids: readonly string[] }
  /** Consul: CoordinateBatchUpdateType. Updates for nodes the catalog lacks are dropped. */
  | { readonly t: 'coordinates'; readonly v: 1; readonly updates: readonly CoordinateEntry[] }
  /** Consul: PreparedQueryRequestType. The leader generates the ID before proposing a create. */
  | { readonly t: 'prepared-query'; readonly v: 1; readonly op: 'set'; readonly query: PreparedQuery }
  | { readonly t: 'prepared-query'; readonly v: 1; readonly op: 'delete'; readonly id: string }
  /** A user snapshot restore (PUT /v1/snapshot): replace the whole state on every server. */
  | { readonly t: 'restore'; readonly v: 1; readonly state: Uint8Array };

export type FsmCommandType = FsmCommand['t'];

// One shared encoder: Encoder.encode() returns a tight copy, whereas the top-level encode()
// returns a view into a fresh 2 KiB buffer that every log entry would then keep alive.
const encoder = new Encoder();

export function encodeCommand(cmd: FsmCommand): Uint8Array {
  return encoder.encode(cmd);
}

export class UnknownCommandError extends Error {}

export function decodeCommand(data: Uint8Array): FsmCommand {
  const raw = decode(data) as { t?: unknown; v?: unknown };
  if (typeof raw !== 'object' || raw === null || typeof raw.t !== 'string' || raw.v !== 1) {
    throw new UnknownCommandError(`unknown FSM command ${JSON.stringify(raw?.t)} v${String(raw?.v)}`);
  }
  return raw as FsmCommand;
}
