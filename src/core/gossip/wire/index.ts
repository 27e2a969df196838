// The memberlist wire codec: what the network edge (../net/) needs to turn memberlist messages
// into HashiCorp-compatible UDP packets and TCP streams and back.
export * from './errors.js';
export { crc32 } from './crc32.js';
export { lzwCompress, lzwDecompress } from './lzw.js';
export {
  Keyring,
  validateKey,
  encryptPayload,
  decryptPayload,
  encryptOverhead,
  encryptedLength,
  type EncryptionVersion,
} from './keyring.js';
export { ipToBytes, bytesToIp } from './ip.js';
export { LABEL_MAX_SIZE, labelHeader, readLabelHeader } from './label.js';
export { MessageType, encodeMessage, decodeMessage, sizeOf } from './memberlist-codec.js';
export { compressMessage } from './compress.js';
export {
  decodePacket,
  encodePacket,
  wrapPacket,
  makeCompound,
  splitCompound,
  MAX_COMPOUND_PARTS,
  MAX_PACKET_DECOMPRESSED_BYTES,
  type PacketDecodeOptions,
  type PacketEncodeOptions,
} from './packet.js';
export {
  parseStream,
  encodeStream,
  encodeStreamMessage,
  MAX_PUSH_STATE_BYTES,
  MAX_PUSH_STATE_NODES,
  MAX_USER_MSG_BYTES,
  MAX_STREAM_DECOMPRESSED_BYTES,
  MAX_STREAM_BUFFERED_BYTES,
  type StreamDecodeOptions,
  type StreamEncodeOptions,
} from './stream.js';
