// A stand-in for the wire codec's sizeOf in the simulator: roughly what each memberlist message
// weighs as msgpack (type byte + map keys + values). The real codec lives in src/core/gossip/wire/;
// the simulator only needs sizes in the right ballpark so that packing into 1400-byte packets,
// and hence retransmission pressure, behaves like the real thing.
import type { PacketMessage } from '../../../src/core/gossip/memberlist/messages.js';

const MAP_HEADER = 1;
/** A msgpack raw string: 1 header byte up to 31 bytes, 3 up to 65535. */
function raw(len: number): number {
  return (len <= 31 ? 1 : len <= 0xffff ? 3 : 5) + len;
}
function text(s: string): number {
  return raw(Buffer.byteLength(s));
}
function key(name: string): number {
  return raw(name.length);
}
/** A uint: up to 5 bytes. */
function uint(n: number): number {
  return n <= 0x7f ? 1 : n <= 0xff ? 2 : n <= 0xffff ? 3 : 5;
}
function ip(addr: string): number {
  return raw(addr.includes(':') ? 16 : 4);
}

function sourceFields(m: { readonly sourceAddr?: string; readonly sourcePort?: number; readonly sourceNode?: string }): number {
  let n = 0;
  if (m.sourceAddr !== undefined) n += key('SourceAddr') + ip(m.sourceAddr);
  if (m.sourcePort !== undefined) n += key('SourcePort') + uint(m.sourcePort);
  if (m.sourceNode !== undefined) n += key('SourceNode') + text(m.sourceNode);
  return n;
}

export function estimateSize(m: PacketMessage): number {
  const typeByte = 1;
  switch (m.type) {
    case 'ping':
      return typeByte + MAP_HEADER + key('SeqNo') + uint(m.seqNo) + key('Node') + text(m.node) + sourceFields(m);
    case 'indirectPing':
      return (
        typeByte + MAP_HEADER + key('SeqNo') + uint(m.seqNo) + key('Target') + ip(m.target) + key('Port') + uint(m.port) +
        key('Node') + text(m.node) + key('Nack') + 1 + sourceFields(m)
      );
    case 'ack':
      return typeByte + MAP_HEADER + key('SeqNo') + uint(m.seqNo) + key('Payload') + raw(m.payload.length);
    case 'nack':
      return typeByte + MAP_HEADER + key('SeqNo') + uint(m.seqNo);
    case 'suspect':
    case 'dead':
      return typeByte + MAP_HEADER + key('Incarnation') + uint(m.incarnation) + key('Node') + text(m.node) + key('From') + text(m.from);
    case 'alive':
      return (
        typeByte + MAP_HEADER + key('Incarnation') + uint(m.incarnation) + key('Node') + text(m.node) + key('Addr') + ip(m.addr) +
        key('Port') + uint(m.port) + key('Meta') + raw(m.meta.length) + key('Vsn') + raw(6)
      );
    case 'user':
      return typeByte + m.payload.length;
  }
}
