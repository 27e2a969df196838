// Where a serf message that arrived as a memberlist user message goes (serf delegate.go
// NotifyMsg): intents to the member table, user events, queries and their responses to the
// query engine, relays straight on. Says which broadcast queue carries the message on, when the
// handler found it news.
// MUST: a push/pull never arrives here (it only comes through mergeRemoteState), and unknown or
//       undecodable messages are logged and dropped, as serf does.
import type { Address } from '../memberlist/messages.js';
import { decodeSerfMessage } from './codec.js';
import {
  type JoinMessage,
  type LeaveMessage,
  type QueryMessage,
  type QueryResponseMessage,
  type SerfMessage,
  SerfMessageType,
  type UserEventMessage,
} from './messages.js';
import type { SerfLogLevel } from './types.js';

/** Each returns whether the message was news (and so is to be rebroadcast). */
export interface SerfMessageHandlers {
  leaveIntent(msg: LeaveMessage): boolean;
  joinIntent(msg: JoinMessage): boolean;
  userEvent(msg: UserEventMessage): boolean;
  query(msg: QueryMessage): boolean;
  queryResponse(msg: QueryResponseMessage): void;
  relay(to: Address, inner: Uint8Array): void;
  log(level: SerfLogLevel, msg: string): void;
}

/** The broadcast queue to rebroadcast on, or undefined for none. */
export type Rebroadcast = 'intent' | 'event' | 'query' | undefined;

const KNOWN_TYPES: readonly number[] = [
  SerfMessageType.Leave,
  SerfMessageType.Join,
  SerfMessageType.UserEvent,
  SerfMessageType.Query,
  SerfMessageType.QueryResponse,
  SerfMessageType.Relay,
];

export function dispatchSerfMessage(payload: Uint8Array, h: SerfMessageHandlers): Rebroadcast {
  if (payload.length === 0) return undefined;
  const t = payload[0] as number;
  if (!KNOWN_TYPES.includes(t)) {
    h.log('warn', `serf: Received message of unknown type: ${t}`);
    return undefined;
  }
  let msg: SerfMessage;
  try {
    msg = decodeSerfMessage(payload);
  } catch (e) {
    h.log('error', `serf: Error decoding message of type ${t}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  switch (msg.type) {
    case 'leave':
      h.log('debug', `serf: messageLeaveType: ${msg.node}`);
      return h.leaveIntent(msg) ? 'intent' : undefined;
    case 'join':
      h.log('debug', `serf: messageJoinType: ${msg.node}`);
      return h.joinIntent(msg) ? 'intent' : undefined;
    case 'userEvent':
      h.log('debug', `serf: messageUserEventType: ${msg.name}`);
      return h.userEvent(msg) ? 'event' : undefined;
    case 'query':
      h.log('debug', `serf: messageQueryType: ${msg.name}`);
      return h.query(msg) ? 'query' : undefined;
    case 'queryResponse':
      h.log('debug', `serf: messageQueryResponseType: ${msg.from}`);
      h.queryResponse(msg);
      return undefined;
    case 'relay':
      h.log('debug', `serf: Relaying response to addr: ${msg.destAddr}:${msg.destPort}`);
      h.relay({ addr: msg.destAddr, port: msg.destPort }, msg.inner);
      return undefined;
    case 'pushPull':
      return undefined; // excluded above: push/pull state only comes through mergeRemoteState
  }
}
