// The typed errors of the memberlist wire codec. Everything the codec throws on bad input is a
// WireError, so the network edge can catch one class, log it and drop the packet or stream.
// MUST: decoders never let a non-WireError escape for malformed input (msgpack errors are wrapped).

export class WireError extends Error {
  override name = 'WireError';
}

/** The LZW stream is malformed, ends early, or expands beyond the allowed size. */
export class LzwError extends WireError {
  override name = 'LzwError';
}

/** A key of the wrong size, or a keyring operation memberlist refuses (e.g. removing the primary). */
export class KeyringError extends WireError {
  override name = 'KeyringError';
}

/** No key could decrypt the payload, or it is too short or of an unknown encryption version. */
export class DecryptError extends WireError {
  override name = 'DecryptError';
}

/** A message body does not decode into the Go struct it claims to be. */
export class MessageDecodeError extends WireError {
  override name = 'MessageDecodeError';
}

/** A message cannot be put on the wire (bad address, too many parts, a part too large...). */
export class MessageEncodeError extends WireError {
  override name = 'MessageEncodeError';
}

/** The packet or stream label is malformed or is not ours: memberlist drops such traffic. */
export class LabelError extends WireError {
  override name = 'LabelError';
}

/** The hasCrc checksum does not match the packet. */
export class ChecksumError extends WireError {
  override name = 'ChecksumError';
}

/** A packet is malformed outside any single message (framing, nesting, unknown type). */
export class PacketError extends WireError {
  override name = 'PacketError';
}

/** A stream is malformed, or its encryption state does not match ours. */
export class StreamError extends WireError {
  override name = 'StreamError';
}

/** A stream declares (or has buffered) more than memberlist's limits allow. */
export class StreamLimitError extends StreamError {
  override name = 'StreamLimitError';
}
