// `<node>.node[.<dc>].<domain>`: the node's address (A/AAAA, or CNAME for a host name) and its
// meta as TXT (Consul: agent/dns.go nodeLookup). TXT goes in Answer for TXT/ANY questions and in
// Additional for A/AAAA (when enable_additional_node_meta_txt). Other types: NODATA.
import type { DnsOptions } from '../config.js';
import type { CatalogView } from '../catalog-view.js';
import type { Rr } from '../encode.js';
import { addressRecord, found, metaTxt, nxdomain, type Prepared } from './types.js';

export function nodeLookup(view: CatalogView, opts: DnsOptions, qname: string, qtype: string, nodeLower: string, domain: string): Prepared {
  const node = view.node(nodeLower);
  if (!node) return nxdomain(domain);
  const ttl = opts.nodeTtlS;
  const addr = addressRecord(qname, node.Address, ttl);
  const txt = metaTxt(qname, node.Meta, ttl);
  const answers: Rr[] = [];
  let additional: Rr[] = [];
  const wantsAddr = (addr?.type === 'A' && qtype === 'A') || (addr?.type === 'AAAA' && qtype === 'AAAA') || (addr?.type === 'CNAME' && (qtype === 'A' || qtype === 'AAAA'));
  if (addr && (wantsAddr || qtype === 'ANY')) answers.push(addr);
  if (qtype === 'TXT' || qtype === 'ANY') answers.push(...txt);
  else if (wantsAddr && opts.nodeMetaTxt) additional = txt;
  return found(domain, answers, { additional, addressCap: qtype !== 'TXT' });
}
