// SOA and NS for the served domain (Consul: agent/dns.go soa / nameservers).
// The name servers are the catalog nodes of the `consul` service (the servers), up to 3 picked at
// random per query, each `<node>.node.<dc>.<domain>.` with its address as glue.
import type { DnsOptions } from '../config.js';
import type { CatalogView } from '../catalog-view.js';
import type { Rr } from '../encode.js';
import { addressRecord, found, type Prepared } from './types.js';

export function soaRecord(domain: string, opts: DnsOptions, nowS: number): Rr {
  const s = opts.soa;
  return {
    type: 'SOA',
    name: domain,
    // Consul: the record TTL has to match min_ttl so that negative caching stays consistent.
    ttl: s.minTtl,
    data: { mname: `ns.${domain}`, rname: `hostmaster.${domain}`, serial: nowS >>> 0, refresh: s.refresh, retry: s.retry, expire: s.expire, minimum: s.minTtl },
  };
}

/** NS records for every healthy server, with their glue, in catalog order. */
export function nameServers(view: CatalogView, opts: DnsOptions, domain: string): { ns: Rr[]; glue: Rr[][] } {
  const ns: Rr[] = [];
  const glue: Rr[][] = [];
  for (const i of view.healthy('consul', undefined, false)) {
    const target = `${i.node.Node}.node.${opts.datacenter}.${domain}`;
    const a = addressRecord(target, i.node.Address, opts.nodeTtlS);
    if (!a || a.type === 'CNAME' || !/^[a-z0-9-]([a-z0-9._-]*[a-z0-9])?$/i.test(i.node.Node)) continue;
    ns.push({ type: 'NS', name: domain, ttl: opts.nodeTtlS, data: target });
    glue.push([a]);
  }
  return { ns, glue };
}

export function nsLookup(view: CatalogView, opts: DnsOptions, domain: string): Prepared {
  const { ns, glue } = nameServers(view, opts, domain);
  return found(domain, ns, { extras: glue, shuffle: true, maxAnswers: 3 });
}

export function soaLookup(view: CatalogView, opts: DnsOptions, domain: string): Prepared {
  const { ns, glue } = nameServers(view, opts, domain);
  return { ...found(domain, []), soaAuthority: false, soaAnswer: { ns, glue } };
}
