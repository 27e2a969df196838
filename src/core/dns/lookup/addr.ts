// `<hex>.addr[.<dc>].<domain>`: 8 hex digits are an IPv4 address, 32 an IPv6 one (Consul: the
// targets of SRV records for services with their own address). A question of the other type gets
// the record in Additional and an empty NOERROR answer.
import type { Rr } from '../encode.js';
import { hexToIp } from '../parse-name.js';
import { addressRecord, found, nxdomain, type Prepared } from './types.js';

export function addrLookup(qname: string, qtype: string, hex: string, ttl: number, domain: string): Prepared {
  const ip = hexToIp(hex);
  const rec = ip === undefined ? undefined : addressRecord(qname, ip, ttl);
  if (!rec) return nxdomain(domain);
  const answers: Rr[] = rec.type === qtype || qtype === 'ANY' ? [rec] : [];
  const p = found(domain, answers, { additional: answers.length === 0 ? [rec] : [] });
  return { ...p, soaAuthority: false };
}
