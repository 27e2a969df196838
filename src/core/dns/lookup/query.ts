// `<query>.query[.<dc>].<domain>` and `_<query>._tcp.query...` (Consul: agent/dns.go
// preparedQueryLookup): the prepared query is executed as the HTTP API would (failover, ACLs,
// sorting near this agent) and its instances answered like a service's, with the query's DNS TTL
// when it sets one.
import { serviceTtlFor, type DnsOptions } from '../config.js';
import type { Instance } from '../catalog-view.js';
import { parseGoDuration } from '../../support/duration.js';
import type { ExecuteResponse } from '../../query/execute.js';
import type { NodeService } from '../../structs/catalog.js';
import { instancesAnswer } from './service.js';
import { nxdomain, type Prepared } from './types.js';

/** Runs a query by name or ID: undefined when there is no such query. */
export type QueryExecutor = (nameOrId: string) => Promise<ExecuteResponse | undefined>;

/** The query name of `foo.query` or `_foo._tcp.query` (RFC 2782 form). */
export function queryName(subject: string): string {
  const labels = subject.split('.');
  if (labels.length === 2 && labels[0]?.startsWith('_') && labels[1]?.startsWith('_')) return labels[0].slice(1);
  return subject;
}

function worst(checks: ExecuteResponse['Nodes'][number]['Checks']): Instance['status'] {
  let s: Instance['status'] = 'passing';
  for (const c of checks) {
    if (c.Status === 'critical' || (c.Status !== 'passing' && c.Status !== 'warning')) return 'critical';
    if (c.Status === 'warning') s = 'warning';
  }
  return s;
}

export function queryAnswer(r: ExecuteResponse | undefined, opts: DnsOptions, q: { qname: string; qtype: string; domain: string }): Prepared {
  if (!r || r.Nodes.length === 0) return nxdomain(q.domain);
  let ttl = serviceTtlFor(opts.serviceTtl, r.Service);
  if (r.DNS.TTL !== '') {
    try {
      ttl = Math.floor(parseGoDuration(r.DNS.TTL) / 1000);
    } catch {
      // validated on write; a bad one keeps the service TTL
    }
  }
  const instances: Instance[] = r.Nodes.map((n) => ({ node: n.Node, service: n.Service as unknown as NodeService, status: worst(n.Checks) }));
  return instancesAnswer(instances, opts, { qname: q.qname, qtype: q.qtype, service: r.Service, tag: undefined, domain: q.domain, datacenter: r.Datacenter }, ttl);
}
