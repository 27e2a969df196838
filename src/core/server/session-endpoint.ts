// Session.Apply and Session.Renew (Consul: agent/consul/session_endpoint.go), and the lock-delay
// check of KVS.Apply (Consul: agent/consul/kvs_endpoint.go kvsPreApply).
//
// Everything time- or randomness-dependent happens here, on the leader, before proposing: the
// session ID is generated, the TTL timer armed, the lock-delay consulted. The FSM only ever sees
// the outcome, so every replica applies the same thing.
import { randomUUID } from 'node:crypto';
import { HttpError } from '../errors.js';
import type { FsmResult } from '../fsm/fsm.js';
import type { KvsRequest } from '../structs/kv.js';
import type { Session, SessionInput } from '../structs/session.js';
import { sessionGet } from '../state/sessions.js';
import { DurationError, parseGoDuration } from '../support/duration.js';
import type { Server } from './server.js';

/** Consul: the server's session_ttl_min default, and structs.SessionTTLMax. */
const SESSION_TTL_MIN_MS = 10_000;
const SESSION_TTL_MAX_MS = 86_400_000;
const TTL_BOUNDS_TEXT = '[10s=24h0m0s]';

/** An RPC error as the HTTP layer shows it: 500 with the error text. */
const rpcError = (message: string): HttpError => new HttpError(500, message);

function validateCreate(s: SessionInput): void {
  if (s.Node === '') throw rpcError('Must provide Node');
  if (s.Behavior !== 'release' && s.Behavior !== 'delete') throw rpcError(`Invalid Behavior setting '${String(s.Behavior)}'`);
  if (s.TTL === '') return;
  let ttlMs: number;
  try {
    ttlMs = parseGoDuration(s.TTL);
  } catch (err) {
    if (err instanceof DurationError) throw rpcError(`Session TTL '${s.TTL}' invalid: ${err.message}`);
    throw err;
  }
  if (ttlMs !== 0 && (ttlMs < SESSION_TTL_MIN_MS || ttlMs > SESSION_TTL_MAX_MS)) {
    // Consul formats the parsed duration with %d: its nanosecond count.
    throw rpcError(`Invalid Session TTL '${Math.round(ttlMs * 1e6)}', must be between ${TTL_BOUNDS_TEXT}`);
  }
}

function throwIfError(result: FsmResult): void {
  if (result.t === 'error') throw rpcError(result.message);
}

/** Create a session; resolves with its ID. */
export async function sessionCreate(server: Server, input: Omit<SessionInput, 'ID'>): Promise<string> {
  const session: SessionInput = { ...input, ID: '' };
  validateCreate(session);
  do session.ID = randomUUID();
  while (sessionGet(server.store, session.ID) !== undefined);
  const result = await server.apply({ t: 'session', v: 1, op: 'create', session });
  throwIfError(result);
  server.sessionTimers.reset(session);
  return session.ID;
}

/** Destroy a session (unknown IDs are fine: true, as Consul answers). */
export async function sessionDestroy(server: Server, id: string): Promise<void> {
  const result = await server.apply({ t: 'session', v: 1, op: 'destroy', id });
  server.sessionTimers.clear(id);
  throwIfError(result);
}

/** Renew: restart the TTL timer; undefined for an unknown session (the handler answers 404). */
export async function sessionRenew(server: Server, id: string): Promise<Session | undefined> {
  await server.readCheck('default');
  const session = sessionGet(server.store, id);
  if (!session) return undefined;
  server.sessionTimers.reset(session);
  return session;
}

/**
 * KVS.Apply: refuse a lock while the key's lock-delay runs (answer false, nothing proposed),
 * otherwise propose. A state error (e.g. `invalid session "x"`) becomes a 500 with its text.
 */
export async function kvsApply(server: Server, req: KvsRequest): Promise<boolean> {
  if (req.op === 'lock' && server.lockDelays.isDelayed(req.key)) return false;
  const result = await server.apply({ t: 'kvs', v: 1, req });
  throwIfError(result);
  return result.t === 'bool' ? result.value : false;
}
