// Textual IPs <-> the byte strings memberlist puts in Addr/Target/SourceAddr (Go net.IP):
// IPv4 travels as 4 bytes, IPv6 as 16; a 16-byte IPv4-mapped address reads back as dotted IPv4,
// as Go's net.IP.String() prints it. Empty text <-> empty bytes (Go's nil IP).
import { MessageDecodeError, MessageEncodeError } from './errors.js';

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const zoneAt = text.indexOf('%');
  const body = zoneAt >= 0 ? text.slice(0, zoneAt) : text; // a zone is local routing info, not part of the IP
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const items = s.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as string;
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIpv4(item);
        if (v4 === undefined) return undefined;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return undefined;
      out.push(parseInt(item, 16));
    }
    return out;
  };
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (head === undefined || tail === undefined) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 2 ? total > 7 : total !== 8) return undefined;
  const all = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/**
 * "10.0.0.1" -> 4 bytes, "fe80::1" (also "[fe80::1]", "fe80::1%eth0") -> 16 bytes, "" -> empty.
 * An IPv4-mapped IPv6 address folds to 4 bytes, as memberlist advertises IPv4 (net.IP.To4).
 * Throws MessageEncodeError otherwise.
 */
export function ipToBytes(text: string): Uint8Array {
  if (text === '') return new Uint8Array(0);
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const b = s.includes(':') ? parseIpv6(s) : parseIpv4(s);
  if (b === undefined) throw new MessageEncodeError(`not an IP address: ${JSON.stringify(text)}`);
  const mapped = b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  return mapped ? b.slice(12) : b;
}

/** The inverse of ipToBytes, printing like Go's net.IP.String(). Throws MessageDecodeError on other lengths. */
export function bytesToIp(b: Uint8Array): string {
  if (b.length === 0) return '';
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length !== 16) throw new MessageDecodeError(`an IP address must be 4 or 16 bytes, got ${b.length}`);
  const mapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  if (mapped) return Array.from(b.subarray(12)).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] as number) << 8) | (b[i + 1] as number));
  // RFC 5952: the first longest run of two or more zero groups becomes "::".
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestAt < 0) return hex(groups);
  return `${hex(groups.slice(0, bestAt))}::${hex(groups.slice(bestAt + bestLen))}`;
}
