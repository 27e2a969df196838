// The memberlist label header (memberlist >= 0.3.0): [244][length 1..255][label bytes], plaintext,
// in front of packets and streams. A node with a label drops traffic without the same label, and a
// node without one drops labelled traffic. The label also becomes the encryption AAD.
// MUST: send no header when the label is empty (old peers such as Debian's serf don't know it).
import { LabelError, MessageEncodeError } from './errors.js';
import { MessageType } from './memberlist-codec.js';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

export const LABEL_MAX_SIZE = 255;

export function labelBytes(label: string | undefined): Uint8Array {
  return textEncoder.encode(label ?? '');
}

/** The header to put in front of a packet or stream; empty for no label. */
export function labelHeader(label: string | undefined): Uint8Array {
  const b = labelBytes(label);
  if (b.length === 0) return b;
  if (b.length > LABEL_MAX_SIZE) throw new MessageEncodeError(`label is too long (${b.length} bytes)`);
  const out = new Uint8Array(2 + b.length);
  out[0] = MessageType.hasLabel;
  out[1] = b.length;
  out.set(b, 2);
  return out;
}

/**
 * Read a label header at the start of `buf`. Returns the label ('' when there is none) and where the
 * rest starts, or 'more' when the header is incomplete (streams). Throws LabelError if it is empty.
 */
export function readLabelHeader(buf: Uint8Array): { label: string; end: number } | 'more' {
  if (buf.length === 0 || buf[0] !== MessageType.hasLabel) return { label: '', end: 0 };
  if (buf.length < 2) return 'more';
  const size = buf[1] as number;
  if (size < 1) throw new LabelError('label header cannot be empty when present');
  if (buf.length < 2 + size) return 'more';
  return { label: textDecoder.decode(buf.subarray(2, 2 + size)), end: 2 + size };
}

/** memberlist drops traffic whose label differs from its own (both may be empty). */
export function checkLabel(got: string, want: string | undefined): void {
  if (got !== (want ?? '')) throw new LabelError(`discarding traffic with unacceptable label ${JSON.stringify(got)}`);
}
