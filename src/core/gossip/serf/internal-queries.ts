// Serf's internal queries (names starting "_serf_"): answered by serf itself and never shown to
// the application. ping only needs the ack; conflict answers with the Member we know under the
// name asked about; the key queries act on the keyring and answer with a nodeKeyResponse.
// MUST: keep serf's message texts; the querier shows them to operators (`consul keyring`).
import {
  decodeKeyRequest,
  encodeConflictResponse,
  encodeKeyResponse,
  encodeSerfMessage,
} from './codec.js';
import { encodeStdBase64 } from './base64.js';
import type { ConflictMember, NodeKeyResponse, QueryResponseMessage } from './messages.js';
import type { KeyringPort, QueryEvent, SerfLogLevel } from './types.js';

export const INTERNAL_QUERY_PREFIX = '_serf_';
/** serf's minEncodedKeyLength: no list-keys answer of `limit` bytes holds more than limit/25 keys. */
const MIN_ENCODED_KEY_LENGTH = 25;

export interface InternalQueryContext {
  readonly nodeName: string;
  readonly keyring: KeyringPort | undefined;
  readonly queryResponseSizeLimit: number;
  /** The member we know by this name, as a conflict answer carries it. */
  conflictMember(name: string): ConflictMember | undefined;
  /** Send an encoded response (serf's respondWithMessageAndResponse); returns an error text. */
  sendResponse(q: QueryEvent, raw: Uint8Array, resp: QueryResponseMessage, now: number): string | undefined;
  log(level: SerfLogLevel, msg: string): void;
}

export function isInternalQuery(name: string): boolean {
  return name.startsWith(INTERNAL_QUERY_PREFIX);
}

export function createQueryResponse(q: QueryEvent, from: string, payload: Uint8Array): QueryResponseMessage {
  return { type: 'queryResponse', ltime: q.ltime, id: q.id, from, flags: 0, payload };
}

export function handleInternalQuery(q: QueryEvent, ctx: InternalQueryContext, now: number): void {
  const name = q.name.slice(INTERNAL_QUERY_PREFIX.length);
  switch (name) {
    case 'ping':
      return; // the ack (if asked for) was already sent
    case 'conflict':
      return handleConflict(q, ctx, now);
    case 'install-key':
    case 'use-key':
    case 'remove-key':
      return handleKeyChange(q, name, ctx, now);
    case 'list-keys':
      return handleListKeys(q, ctx, now);
    default:
      ctx.log('warn', `serf: Unhandled internal query '${name}'`);
  }
}

function respond(q: QueryEvent, ctx: InternalQueryContext, payload: Uint8Array, now: number, what: string): void {
  const resp = createQueryResponse(q, ctx.nodeName, payload);
  const err = ctx.sendResponse(q, encodeSerfMessage(resp), resp, now);
  if (err !== undefined) ctx.log('error', `serf: Failed to respond to ${what}: failed to respond to key query: ${err}`);
}

function handleConflict(q: QueryEvent, ctx: InternalQueryContext, now: number): void {
  const node = new TextDecoder().decode(q.payload);
  if (node === ctx.nodeName) return; // a question about us is not ours to answer
  ctx.log('debug', `serf: Got conflict resolution query for '${node}'`);
  respond(q, ctx, encodeConflictResponse(ctx.conflictMember(node)), now, 'conflict query');
}

const KEY_CHANGE_TEXT: Readonly<Record<string, { received: string; failed: string }>> = {
  'install-key': { received: 'Received install-key query', failed: 'Failed to install key' },
  'use-key': { received: 'Received use-key query', failed: 'Failed to change primary key' },
  'remove-key': { received: 'Received remove-key query', failed: 'Failed to remove key' },
};

function handleKeyChange(q: QueryEvent, name: string, ctx: InternalQueryContext, now: number): void {
  const text = KEY_CHANGE_TEXT[name] as { received: string; failed: string };
  const response = { result: false, message: '', keys: [] as string[], primaryKey: '' };
  let key: Uint8Array | undefined;
  try {
    key = decodeKeyRequest(q.payload).key;
  } catch (e) {
    ctx.log('error', `serf: Failed to decode key request: ${errorText(e)}`);
  }
  if (key !== undefined) {
    if (!ctx.keyring) {
      response.message = 'No keyring to modify (encryption not enabled)';
      ctx.log('error', 'serf: No keyring to modify (encryption not enabled)');
    } else {
      ctx.log('info', `serf: ${text.received}`);
      try {
        if (name === 'install-key') ctx.keyring.install(key);
        else if (name === 'use-key') ctx.keyring.use(key);
        else ctx.keyring.remove(key);
        response.result = true;
      } catch (e) {
        response.message = errorText(e);
        ctx.log('error', `serf: ${text.failed}: ${response.message}`);
      }
    }
  }
  respond(q, ctx, encodeKeyResponse(response), now, 'key query');
}

function handleListKeys(q: QueryEvent, ctx: InternalQueryContext, now: number): void {
  let response: NodeKeyResponse;
  if (!ctx.keyring) {
    response = { result: false, message: 'Keyring is empty (encryption not enabled)', keys: [], primaryKey: '' };
    ctx.log('error', 'serf: Keyring is empty (encryption not enabled)');
  } else {
    ctx.log('info', 'serf: Received list-keys query');
    const primary = ctx.keyring.primaryKey();
    response = {
      result: true,
      message: '',
      keys: ctx.keyring.keys().map(encodeStdBase64),
      primaryKey: primary ? encodeStdBase64(primary) : '',
    };
  }
  const fitted = fitKeyListResponse(q, ctx, response);
  if (!fitted) {
    ctx.log('error', 'serf: Failed to truncate response so that it fits into message');
    return;
  }
  const err = ctx.sendResponse(q, fitted.raw, fitted.resp, now);
  if (err !== undefined) ctx.log('error', `serf: Failed to respond to key query: ${err}`);
}

/** Drop keys from the end until the whole response fits the response size limit, saying so. */
function fitKeyListResponse(
  q: QueryEvent,
  ctx: InternalQueryContext,
  initial: NodeKeyResponse,
): { raw: Uint8Array; resp: QueryResponseMessage } | undefined {
  const limit = ctx.queryResponseSizeLimit;
  const maxKeys = Math.floor(limit / MIN_ENCODED_KEY_LENGTH);
  const actual = initial.keys.length;
  let response = initial;
  for (let i = maxKeys; i >= 0; i--) {
    const resp = createQueryResponse(q, ctx.nodeName, encodeKeyResponse(response));
    const raw = encodeSerfMessage(resp);
    if (raw.length > limit) {
      response = {
        ...response,
        keys: response.keys.slice(0, i),
        message: `truncated key list response, showing first ${i} of ${actual} keys`,
      };
      continue;
    }
    if (actual > i) ctx.log('warn', `serf: ${response.message}`);
    return { raw, resp };
  }
  return undefined;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
