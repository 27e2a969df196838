// The record framing of state.bin, the body of a snapshot (Raft snapshot and `consul snapshot`
// archive alike): a sequence of [type: u8][length: u32 BE][msgpack body]. The type numbers are
// Consul's structs.MessageType numbers where Consul has one, so `snapshot inspect` names match.

export const RecordType = {
  Register: 0,
  KVS: 2,
  Session: 3,
  Tombstone: 5,
  ConnectCA: 13,
  ACLToken: 17,
  ACLPolicy: 19,
  ACLRole: 23,
  ConnectCAConfig: 15,
  ConfigEntry: 20,
  /** Consul: CoordinateBatchUpdateType records one coordinate each. */
  Coordinate: 6,
  PreparedQuery: 7,
  /** Table max indexes (ours; Consul restores them through its index table). */
  Index: 200,
} as const;

export type RecordTypeName = keyof typeof RecordType;

const NAMES = new Map<number, string>(Object.entries(RecordType).map(([k, v]) => [v, k]));

export function recordTypeName(type: number): string {
  return NAMES.get(type) ?? `Unknown(${type})`;
}

export class RecordWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  write(type: number, body: Uint8Array): void {
    const head = new Uint8Array(5);
    head[0] = type;
    new DataView(head.buffer).setUint32(1, body.length);
    this.chunks.push(head, body);
    this.size += 5 + body.length;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

export class RecordFormatError extends Error {}

/** Visit every record; throws RecordFormatError on a truncated stream. */
export function forEachRecord(data: Uint8Array, fn: (type: number, body: Uint8Array) => void): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  while (at < data.length) {
    if (at + 5 > data.length) throw new RecordFormatError('truncated record header');
    const type = data[at] as number;
    const len = view.getUint32(at + 1);
    if (at + 5 + len > data.length) throw new RecordFormatError('truncated record body');
    fn(type, data.subarray(at + 5, at + 5 + len));
    at += 5 + len;
  }
}
