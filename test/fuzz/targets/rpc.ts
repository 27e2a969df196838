// Server RPC: bytes from a TCP peer go through the frame reader (length-prefixed frames) and
// each frame through the envelope decoder. Refusals are FrameError and ProtocolError, which close
// the connection.
import fc from 'fast-check';
import { FrameError, FrameReader, frameOf } from '../../../src/core/rpc/frame.js';
import { ProtocolError, decodeEnvelope, encodeEnvelope } from '../../../src/core/rpc/protocol.js';
import { bytesLike, type FuzzTarget } from '../target.js';

const body = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 16 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }))));
const envelope = fc.oneof(
  fc.record({ t: fc.constant('req' as const), id: fc.nat(), m: fc.constantFrom('KVS.Apply', 'Status.Leader', 'Raft.Message', 'Catalog.Register', 'x'), b: body }),
  fc.record({ t: fc.constant('msg' as const), m: fc.constantFrom('Raft.Message', 'y'), b: body }),
  fc.record({ t: fc.constant('res' as const), id: fc.nat(), b: body }),
  fc.record({ t: fc.constant('res' as const), id: fc.nat(), e: fc.string({ maxLength: 16 }) }),
);
const validStream = fc.array(envelope, { minLength: 1, maxLength: 3 }).map((envs) => Buffer.concat(envs.map((e) => encodeEnvelope(e as never))));

export const rpcTarget: FuzzTarget<{ bytes: Uint8Array; chunk: number }> = {
  name: 'rpc',
  surface: 'server RPC frames and envelopes (length prefix, msgpack maps)',
  arbitrary: fc.record({ bytes: bytesLike(validStream.map((b) => new Uint8Array(b))), chunk: fc.integer({ min: 1, max: 64 }) }),
  refusals: [FrameError, ProtocolError],
  run({ bytes, chunk }) {
    // Small frame limit so a hostile length is refused before it is buffered.
    const reader = new FrameReader(1 << 16);
    for (let at = 0; at < bytes.length; at += chunk) {
      for (const frame of reader.push(bytes.subarray(at, at + chunk))) decodeEnvelope(frame);
    }
    // Frames made by us must always round-trip.
    frameOf(new Uint8Array(0));
  },
};
