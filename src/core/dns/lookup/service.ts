// `[<tag>.]<service>.service[.<dc>].<domain>` and RFC 2782 `_<service>._<tag>...`: the healthy
// instances (Consul: agent/dns.go serviceLookup, serviceNodeRecords, serviceSRVRecords).
//
// - A/AAAA/ANY: one record per distinct address (the service address if set, else the node's);
//   a host name answers with a CNAME.
// - SRV: priority 1, weight by status, the port, and the target: the host name itself, or
//   `<hexip>.addr.<dc>.<domain>` when the service has its own IP, else `<node>.node.<dc>.<domain>`;
//   the target's A/AAAA (and node meta TXT) ride along in Additional.
// - TXT: node meta of the instances' nodes. Zero healthy instances: NXDOMAIN.
import net from 'node:net';
import { serviceTtlFor, type DnsOptions } from '../config.js';
import type { CatalogView, Instance } from '../catalog-view.js';
import type { Rr } from '../encode.js';
import { addressRecord, found, hexLabel, metaTxt, nxdomain, type Prepared } from './types.js';

export interface ServiceQuestion {
  readonly qname: string;
  readonly qtype: string;
  readonly service: string;
  readonly tag: string | undefined;
  readonly domain: string;
  /** The datacenter the instances live in (a prepared query may have failed over); default ours. */
  readonly datacenter?: string;
}

export function serviceLookup(view: CatalogView, opts: DnsOptions, q: ServiceQuestion): Prepared {
  const healthy = view.healthy(q.service, q.tag, opts.onlyPassing);
  return instancesAnswer(healthy, opts, q, serviceTtlFor(opts.serviceTtl, q.service));
}

/** The answer for a set of healthy instances (also a prepared query's result). */
export function instancesAnswer(healthy: readonly Instance[], opts: DnsOptions, q: ServiceQuestion, ttl: number): Prepared {
  if (healthy.length === 0) return nxdomain(q.domain);
  if (q.qtype === 'SRV') return srvRecords(healthy, opts, q, ttl);
  if (q.qtype === 'TXT') return txtRecords(healthy, q, ttl);
  if (q.qtype !== 'A' && q.qtype !== 'AAAA' && q.qtype !== 'ANY') return found(q.domain, []);
  const seen = new Set<string>();
  const answers: Rr[] = [];
  for (const i of healthy) {
    const address = i.service.Address || i.node.Address;
    if (seen.has(address)) continue;
    seen.add(address);
    const rec = addressRecord(q.qname, address, ttl);
    if (rec && (rec.type === q.qtype || rec.type === 'CNAME' || q.qtype === 'ANY')) answers.push(rec);
  }
  return found(q.domain, answers, { shuffle: true, addressCap: true });
}

const weightOf = (i: Instance): number => (i.status === 'warning' ? i.service.Weights?.Warning : i.service.Weights?.Passing) ?? 1;

function srvRecords(healthy: readonly Instance[], opts: DnsOptions, q: ServiceQuestion, ttl: number): Prepared {
  const answers: Rr[] = [];
  const extras: Rr[][] = [];
  const seen = new Set<string>();
  const suffix = `${q.datacenter ?? opts.datacenter}.${q.domain}`;
  for (const i of healthy) {
    const svcAddr = i.service.Address;
    const address = svcAddr || i.node.Address;
    // Consul: the same node, address and port twice is one SRV record.
    const tuple = `${i.node.Node}\x00${svcAddr}\x00${i.service.Port}`;
    if (seen.has(tuple)) continue;
    seen.add(tuple);
    let target: string;
    const extra: Rr[] = [];
    if (address !== '' && net.isIP(address) === 0) {
      target = address.replace(/\.$/, '');
    } else if (svcAddr !== '' && svcAddr !== i.node.Address) {
      target = `${hexLabel(svcAddr)}.addr.${suffix}`;
      extra.push(addressRecord(target, svcAddr, ttl) as Rr);
    } else {
      target = `${i.node.Node}.node.${suffix}`;
      const a = addressRecord(target, i.node.Address, ttl);
      if (a) extra.push(a);
      if (opts.nodeMetaTxt) extra.push(...metaTxt(target, i.node.Meta, ttl));
    }
    answers.push({ type: 'SRV', name: q.qname, ttl, data: { priority: 1, weight: weightOf(i), port: i.service.Port, target } });
    extras.push(extra);
  }
  return found(q.domain, answers, { extras, shuffle: true });
}

function txtRecords(healthy: readonly Instance[], q: ServiceQuestion, ttl: number): Prepared {
  const seen = new Set<string>();
  const answers: Rr[] = [];
  for (const i of healthy) {
    if (seen.has(i.node.Node)) continue;
    seen.add(i.node.Node);
    answers.push(...metaTxt(q.qname, i.node.Meta, ttl));
  }
  return found(q.domain, answers, { shuffle: true });
}
