// What a lookup hands to the response builder, and the record helpers the lookups share.
//
// A Prepared answer depends only on the catalog index, the question and the config, so the server
// memoizes it per catalog view; per-query work (shuffle, limits, SOA serial, EDNS) happens after.
import net from 'node:net';
import type { Rcode, Rr } from '../encode.js';

export interface Prepared {
  readonly rcode: Rcode;
  /** Candidate answers in catalog order (shuffled per query when `shuffle`). */
  readonly answers: readonly Rr[];
  /** Additional records tied to each answer (SRV targets, NS glue), kept in step when trimming. */
  readonly extras?: readonly (readonly Rr[])[];
  /** Additional records independent of which answers are kept (node meta TXT). */
  readonly additional: readonly Rr[];
  readonly shuffle: boolean;
  /** At most this many answers before any transport limit (NS: 3 servers). */
  readonly maxAnswers: number;
  /** `dns_config.a_record_limit` applies (A/AAAA/ANY questions). */
  readonly addressCap: boolean;
  /** Put the SOA in Authority (NXDOMAIN and NODATA, RFC 2308). */
  readonly soaAuthority: boolean;
  /** The answer is the SOA itself (SOA questions); NS of up to 3 servers go in Authority. */
  readonly soaAnswer?: { readonly ns: readonly Rr[]; readonly glue: readonly (readonly Rr[])[] };
  /** The domain the question was asked in (the SOA's owner). */
  readonly domain: string;
}

export const nxdomain = (domain: string): Prepared => ({
  rcode: 'NXDOMAIN',
  answers: [],
  additional: [],
  shuffle: false,
  maxAnswers: 0,
  addressCap: false,
  soaAuthority: true,
  domain,
});

/** Answers found, or NODATA (NOERROR, empty, SOA in Authority) when there are none. */
export function found(domain: string, answers: Rr[], more: Partial<Pick<Prepared, 'extras' | 'additional' | 'shuffle' | 'maxAnswers' | 'addressCap'>> = {}): Prepared {
  return {
    rcode: 'NOERROR',
    answers,
    extras: more.extras,
    additional: more.additional ?? [],
    shuffle: more.shuffle ?? false,
    maxAnswers: more.maxAnswers ?? Infinity,
    addressCap: more.addressCap ?? false,
    soaAuthority: answers.length === 0,
    domain,
  };
}

export function ipBytes(ip: string): Buffer | undefined {
  const family = net.isIP(ip);
  if (family === 4) return Buffer.from(ip.split('.').map(Number));
  if (family !== 6) return undefined;
  return ipv6Bytes(ip.replace(/%.*$/, ''));
}

function ipv6Bytes(ip: string): Buffer {
  let text = ip;
  const out = Buffer.alloc(16);
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = (v4[1] as string).split('.').map(Number);
    const hi = ((b[0] as number) << 8) | (b[1] as number);
    const lo = ((b[2] as number) << 8) | (b[3] as number);
    text = text.slice(0, v4.index) + hi.toString(16) + ':' + lo.toString(16);
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16) & 0xffff, i * 2));
  return out;
}

/** The record an address answers with: A, AAAA, or a CNAME for a host name. */
export function addressRecord(name: string, address: string, ttl: number): Rr | undefined {
  const family = net.isIP(address);
  if (family === 4) return { type: 'A', name, ttl, data: ipBytes(address) as Buffer };
  if (family === 6) return { type: 'AAAA', name, ttl, data: ipBytes(address) as Buffer };
  if (address === '') return undefined;
  return { type: 'CNAME', name, ttl, data: address.replace(/\.$/, '') };
}

/** Node meta as TXT records (RFC 1464); `rfc1035-` keys give the bare value. Sorted by key. */
export function metaTxt(name: string, meta: Readonly<Record<string, string>>, ttl: number): Rr[] {
  return Object.keys(meta)
    .sort()
    .map((key) => ({ type: 'TXT' as const, name, ttl, data: [key.toLowerCase().startsWith('rfc1035-') ? (meta[key] as string) : rfc1464(key, meta[key] as string)] }));
}

export function rfc1464(key: string, value: string): string {
  let k = key.replace(/`/g, '``').replace(/=/g, '`=');
  k = k.replace(/^ +/, (s) => '` '.repeat(s.length)).replace(/ +$/, (s) => '` '.repeat(s.length));
  return `${k}=${value.replace(/`/g, '``')}`;
}

/** `<hex>.addr.<dc>.<domain>` label for an IP (Consul: hex of the address bytes). */
export function hexLabel(ip: string): string | undefined {
  return ipBytes(ip)?.toString('hex');
}
