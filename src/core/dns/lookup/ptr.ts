// Reverse lookups under in-addr.arpa / ip6.arpa (Consul: agent/dns.go handlePtr): the node with that
// address, else a service instance with it. The answer always names the primary domain.
import type { DnsOptions } from '../config.js';
import type { CatalogView } from '../catalog-view.js';
import { found, type Prepared } from './types.js';

/** undefined when nothing has this address (the caller recurses or answers NXDOMAIN). */
export function ptrLookup(view: CatalogView, opts: DnsOptions, qname: string, qtype: string, ip: string): Prepared | undefined {
  const hit = view.byAddress(ip);
  const suffix = `${opts.datacenter}.${opts.domain}`;
  const target = hit.node ? `${hit.node.Node}.node.${suffix}` : hit.service ? `${hit.service.service.Service}.service.${suffix}` : undefined;
  if (target === undefined) return undefined;
  const answers = qtype === 'PTR' || qtype === 'ANY' ? [{ type: 'PTR' as const, name: qname, ttl: 0, data: target }] : [];
  return found(opts.domain, answers);
}
