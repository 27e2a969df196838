// Serf payloads <-> bytes: one SerfMessageType byte, then a msgpack map keyed by the Go field
// names of serf's message structs (messages.go), encoded as go-msgpack's MsgpackHandle does.
// MUST: every Go field is written (no omitempty), in the struct's declaration order, so that our
//       bytes match a Go agent's; decoding ignores unknown fields and treats missing ones as zero.
// MUST: Timeout travels as int64 nanoseconds (time.Duration), addresses as net.IP byte strings.
import {
  type EncodableValue,
  type GoMap,
  type GoValue,
  asArray,
  asBool,
  asBytes,
  asInt,
  asMap,
  asString,
  asUint,
  decode,
  encode,
} from '../wire/msgpack.js';
import { bytesToIp, ipToBytes } from './ip.js';
import {
  type ConflictMember,
  FilterType,
  type KeyRequest,
  type NodeKeyResponse,
  type PushPullMessage,
  type QueryMessage,
  type QueryResponseMessage,
  type RecentUserEvents,
  type RelayMessage,
  type SerfMessage,
  SerfMessageType,
} from './messages.js';

export class SerfCodecError extends Error {
  override name = 'SerfCodecError';
}

const NS_PER_MS = 1_000_000;

/** Type byte + msgpack body, the layout of every serf payload. */
export function withType(type: number, body: EncodableValue): Uint8Array {
  const enc = encode(body);
  const out = new Uint8Array(enc.length + 1);
  out[0] = type;
  out.set(enc, 1);
  return out;
}

function eventsRing(events: readonly (RecentUserEvents | null)[]): EncodableValue {
  return events.map((slot) =>
    slot === null ? null : { LTime: slot.ltime, Events: slot.events.map((e) => ({ Name: e.name, Payload: e.payload })) },
  );
}

/** Encode a serf gossip message for memberlist (a broadcast, a user message or push/pull state). */
export function encodeSerfMessage(m: SerfMessage): Uint8Array {
  switch (m.type) {
    case 'leave':
      return withType(SerfMessageType.Leave, { LTime: m.ltime, Node: m.node, Prune: m.prune });
    case 'join':
      return withType(SerfMessageType.Join, { LTime: m.ltime, Node: m.node });
    case 'pushPull':
      return withType(SerfMessageType.PushPull, {
        LTime: m.ltime,
        StatusLTimes: m.statusLTimes,
        LeftMembers: m.leftMembers,
        EventLTime: m.eventLTime,
        Events: eventsRing(m.events),
        QueryLTime: m.queryLTime,
      });
    case 'userEvent':
      return withType(SerfMessageType.UserEvent, { LTime: m.ltime, Name: m.name, Payload: m.payload, CC: m.cc });
    case 'query':
      return withType(SerfMessageType.Query, queryBody(m));
    case 'queryResponse':
      return withType(SerfMessageType.QueryResponse, queryResponseBody(m));
    case 'relay':
      return encodeRelay(m);
  }
}

function queryBody(m: QueryMessage): EncodableValue {
  return {
    LTime: m.ltime,
    ID: m.id,
    Addr: ipToBytes(m.addr),
    Port: m.port,
    SourceNode: m.sourceNode,
    // A Go query without filters carries a nil slice, which go-msgpack writes as nil.
    Filters: m.filters.length === 0 ? null : m.filters,
    Flags: m.flags,
    RelayFactor: m.relayFactor,
    Timeout: Math.round(m.timeoutMs * NS_PER_MS),
    Name: m.name,
    Payload: m.payload,
  };
}

function queryResponseBody(m: QueryResponseMessage): EncodableValue {
  return { LTime: m.ltime, ID: m.id, From: m.from, Flags: m.flags, Payload: m.payload };
}

function encodeRelay(m: RelayMessage): Uint8Array {
  const header = encode({
    DestAddr: { IP: ipToBytes(m.destAddr), Port: m.destPort, Zone: m.destZone },
    DestName: m.destName,
  });
  const out = new Uint8Array(1 + header.length + m.inner.length);
  out[0] = SerfMessageType.Relay;
  out.set(header, 1);
  out.set(m.inner, 1 + header.length);
  return out;
}

/**
 * Decode a serf payload; throws SerfCodecError (or MsgpackError, or the wire codec's
 * MessageDecodeError for a bad address) when it is not one we speak.
 */
export function decodeSerfMessage(buf: Uint8Array): SerfMessage {
  if (buf.length === 0) throw new SerfCodecError('serf: empty message');
  const t = buf[0] as number;
  const { value, end } = decode(buf, 1);
  switch (t) {
    case SerfMessageType.Leave: {
      const m = asMap(value, 'leave');
      return { type: 'leave', ltime: asUint(m.LTime), node: asString(m.Node), prune: asBool(m.Prune) };
    }
    case SerfMessageType.Join: {
      const m = asMap(value, 'join');
      return { type: 'join', ltime: asUint(m.LTime), node: asString(m.Node) };
    }
    case SerfMessageType.PushPull:
      return decodePushPull(asMap(value, 'push/pull'));
    case SerfMessageType.UserEvent: {
      const m = asMap(value, 'user event');
      return {
        type: 'userEvent',
        ltime: asUint(m.LTime),
        name: asString(m.Name),
        payload: asBytes(m.Payload),
        cc: asBool(m.CC),
      };
    }
    case SerfMessageType.Query:
      return decodeQuery(asMap(value, 'query'));
    case SerfMessageType.QueryResponse: {
      const m = asMap(value, 'query response');
      return {
        type: 'queryResponse',
        ltime: asUint(m.LTime),
        id: asUint(m.ID, 'ID', 0xffffffff),
        from: asString(m.From),
        flags: asUint(m.Flags, 'Flags', 0xffffffff),
        payload: asBytes(m.Payload),
      };
    }
    case SerfMessageType.Relay: {
      const h = asMap(value, 'relay header');
      const dest = asMap(h.DestAddr, 'DestAddr');
      return {
        type: 'relay',
        destAddr: bytesToIp(asBytes(dest.IP)),
        destPort: asInt(dest.Port),
        destZone: asString(dest.Zone),
        destName: asString(h.DestName),
        inner: buf.slice(end),
      };
    }
    default:
      throw new SerfCodecError(`serf: unknown message type ${t}`);
  }
}

function decodePushPull(m: GoMap): PushPullMessage {
  const statusLTimes = new Map<string, number>();
  const st = asMap(m.StatusLTimes, 'StatusLTimes');
  for (const name of Object.keys(st)) statusLTimes.set(name, asUint(st[name]));
  const events = asArray(m.Events, 'Events').map((slot): RecentUserEvents | null => {
    if (slot === null) return null;
    const s = asMap(slot, 'userEvents');
    return {
      ltime: asUint(s.LTime),
      events: asArray(s.Events, 'Events').map((e) => {
        const ev = asMap(e, 'userEvent');
        return { name: asString(ev.Name), payload: asBytes(ev.Payload) };
      }),
    };
  });
  return {
    type: 'pushPull',
    ltime: asUint(m.LTime),
    statusLTimes,
    leftMembers: asArray(m.LeftMembers, 'LeftMembers').map((v) => asString(v)),
    eventLTime: asUint(m.EventLTime),
    events,
    queryLTime: asUint(m.QueryLTime),
  };
}

function decodeQuery(m: GoMap): QueryMessage {
  return {
    type: 'query',
    ltime: asUint(m.LTime),
    id: asUint(m.ID, 'ID', 0xffffffff),
    addr: bytesToIp(asBytes(m.Addr)),
    port: asUint(m.Port, 'Port', 0xffff),
    sourceNode: asString(m.SourceNode),
    filters: asArray(m.Filters, 'Filters').map((f) => asBytes(f)),
    flags: asUint(m.Flags, 'Flags', 0xffffffff),
    relayFactor: asUint(m.RelayFactor, 'RelayFactor', 0xff),
    timeoutMs: asInt(m.Timeout) / NS_PER_MS,
    name: asString(m.Name),
    payload: asBytes(m.Payload),
  };
}

// --- query filters --------------------------------------------------------------------------

export type QueryFilter =
  | { readonly kind: 'node'; readonly nodes: readonly string[] }
  | { readonly kind: 'tag'; readonly tag: string; readonly expr: string };

export function encodeNodeFilter(nodes: readonly string[]): Uint8Array {
  return withType(FilterType.Node, nodes);
}

export function encodeTagFilter(tag: string, expr: string): Uint8Array {
  return withType(FilterType.Tag, { Tag: tag, Expr: expr });
}

export function decodeFilter(buf: Uint8Array): QueryFilter {
  if (buf.length === 0) throw new SerfCodecError('serf: empty query filter');
  const t = buf[0] as number;
  if (t === FilterType.Node) {
    return { kind: 'node', nodes: asArray(decode(buf, 1).value, 'filterNode').map((v) => asString(v)) };
  }
  if (t === FilterType.Tag) {
    const m = asMap(decode(buf, 1).value, 'filterTag');
    return { kind: 'tag', tag: asString(m.Tag), expr: asString(m.Expr) };
  }
  throw new SerfCodecError(`serf: query has unrecognized filter type: ${t}`);
}

// --- key queries and conflict answers -------------------------------------------------------

export function encodeKeyRequest(r: KeyRequest): Uint8Array {
  return withType(SerfMessageType.KeyRequest, { Key: r.key });
}

/** Decode a key query payload (type byte included); Go skips the byte without checking it. */
export function decodeKeyRequest(buf: Uint8Array): KeyRequest {
  if (buf.length === 0) throw new SerfCodecError('serf: empty key request');
  return { key: asBytes(asMap(decode(buf, 1).value, 'keyRequest').Key) };
}

export function encodeKeyResponse(r: NodeKeyResponse): Uint8Array {
  return withType(SerfMessageType.KeyResponse, {
    Result: r.result,
    Message: r.message,
    // Go leaves Keys a nil slice unless it lists keys; nil is what goes on the wire then.
    Keys: r.keys.length === 0 ? null : r.keys,
    PrimaryKey: r.primaryKey,
  });
}

/** Decode a key query answer; the caller has already checked the KeyResponse type byte. */
export function decodeKeyResponse(buf: Uint8Array): NodeKeyResponse {
  const m = asMap(decode(buf, 1).value, 'nodeKeyResponse');
  return {
    result: asBool(m.Result),
    message: asString(m.Message),
    keys: asArray(m.Keys, 'Keys').map((k) => asString(k)),
    primaryKey: asString(m.PrimaryKey),
  };
}

/** `_serf_conflict` answer: the Member we know under that name, or nil when we know none. */
export function encodeConflictResponse(m: ConflictMember | undefined): Uint8Array {
  if (!m) return withType(SerfMessageType.ConflictResponse, null);
  return withType(SerfMessageType.ConflictResponse, {
    Name: m.name,
    Addr: m.addr === '' ? new Uint8Array(0) : ipToBytes(m.addr),
    Port: m.port,
    Tags: m.tags,
    Status: m.status,
    ProtocolMin: m.protocolMin,
    ProtocolMax: m.protocolMax,
    ProtocolCur: m.protocolCur,
    DelegateMin: m.delegateMin,
    DelegateMax: m.delegateMax,
    DelegateCur: m.delegateCur,
  });
}

export function decodeConflictResponse(buf: Uint8Array): ConflictMember {
  const v: GoValue = decode(buf, 1).value;
  const m = asMap(v, 'Member');
  const tags: Record<string, string> = {};
  const t = asMap(m.Tags, 'Tags');
  for (const k of Object.keys(t)) tags[k] = asString(t[k]);
  return {
    name: asString(m.Name),
    addr: bytesToIp(asBytes(m.Addr)),
    port: asUint(m.Port, 'Port', 0xffff),
    tags,
    status: asInt(m.Status),
    protocolMin: asUint(m.ProtocolMin),
    protocolMax: asUint(m.ProtocolMax),
    protocolCur: asUint(m.ProtocolCur),
    delegateMin: asUint(m.DelegateMin),
    delegateMax: asUint(m.DelegateMax),
    delegateCur: asUint(m.DelegateCur),
  };
}
