// memberlist's compress message: [9] then msgpack {Algo: 0 (LZW), Buf: <Go lzw LSB/8 bytes>}.
// Shared by packets (compressed only when smaller) and streams (always, with EnableCompression).
import { asBytes, asMap, asUint, encode, type GoValue } from './msgpack.js';
import { MessageDecodeError } from './errors.js';
import { lzwCompress, lzwDecompress } from './lzw.js';
import { LZW_ALGO, MessageType, readFields } from './memberlist-codec.js';

/** A compress message wrapping `inner` (which starts with its own type byte). */
export function compressMessage(inner: Uint8Array): Uint8Array {
  const body = encode({ Algo: LZW_ALGO, Buf: lzwCompress(inner) });
  const out = new Uint8Array(1 + body.length);
  out[0] = MessageType.compress;
  out.set(body, 1);
  return out;
}

/** Expand a decoded compress body ({Algo, Buf}) to at most `maxOutput` bytes. */
export function expandCompressed(body: GoValue, maxOutput: number): Uint8Array {
  const { algo, buf } = readFields('compress', () => {
    const m = asMap(body, 'compress');
    return { algo: asUint(m['Algo'], 'Algo', 0xff), buf: asBytes(m['Buf'], 'Buf') };
  });
  if (algo !== LZW_ALGO) throw new MessageDecodeError(`cannot decompress unknown algorithm ${algo}`);
  return lzwDecompress(buf, maxOutput);
}
