// The DNS interface (UDP + TCP, default port 8600) on dns-packet (Consul: agent/dns.go).
// This first cut answers node and service lookups (A, SRV, ANY), NXDOMAIN with the SOA in
// Authority, and REFUSED outside the domain; the full surface (tags, RFC 2782, PTR, addr,
// recursors, truncation) follows with service discovery.
//
// MUST: a malformed packet is dropped, never thrown out of the socket handler.
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Answer, type Packet, type Question } from 'dns-packet';
import { serviceInstances, getNode, nodeChecks } from '../state/catalog.js';
import type { Server } from '../server/index.js';
import type { Logger } from '../support/logger.js';

export interface DnsOptions {
  readonly domain: string;
  readonly datacenter: string;
  readonly nodeTtl: number;
  readonly serviceTtl: number;
}

export class DnsServer {
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;

  constructor(
    private readonly opts: DnsOptions,
    private readonly server: () => Server | undefined,
    private readonly log: Logger,
  ) {}

  async listen(addr: string, port: number): Promise<void> {
    const udp = dgram.createSocket(addr.includes(':') ? 'udp6' : 'udp4');
    udp.on('message', (msg, rinfo) => {
      const out = this.answer(msg);
      if (out) udp.send(out, rinfo.port, rinfo.address);
    });
    udp.on('error', (err) => this.log.warn(`dns: udp error: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, addr, () => resolve());
    });
    this.udp = udp;
    const tcp = net.createServer((sock) => this.serveTcp(sock));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, addr, () => resolve());
    });
    this.tcp = tcp;
  }

  close(): void {
    this.udp?.close();
    this.tcp?.close();
  }

  private serveTcp(sock: net.Socket): void {
    let buf = Buffer.alloc(0);
    sock.on('error', () => sock.destroy());
    sock.setTimeout(10_000, () => sock.destroy());
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const out = this.answer(buf.subarray(2, 2 + len));
        buf = buf.subarray(2 + len);
        if (!out) return void sock.destroy();
        const head = Buffer.alloc(2);
        head.writeUInt16BE(out.length);
        sock.write(Buffer.concat([head, out]));
      }
    });
  }

  /** Decode, answer, encode; undefined for a packet that is not a DNS query. */
  answer(msg: Buffer): Buffer | undefined {
    let q: Packet;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return undefined;
    }
    if (q.type !== 'query' || !q.questions || q.questions.length === 0) return undefined;
    try {
      return dnsPacket.encode(this.resolve(q));
    } catch (err) {
      this.log.warn(`dns: failed to answer: ${(err as Error).message}`);
      return undefined;
    }
  }

  private resolve(q: Packet): Packet {
    const question = q.questions?.[0] as Question;
    const name = question.name.replace(/\.$/, '');
    const domain = this.opts.domain;
    const base: Packet = { type: 'response', id: q.id ?? 0, flags: dnsPacket.AUTHORITATIVE_ANSWER | (q.flags ?? 0) & dnsPacket.RECURSION_DESIRED, questions: [question] };
    const lower = name.toLowerCase();
    if (lower !== domain && !lower.endsWith('.' + domain)) return { ...base, flags: (base.flags ?? 0) & ~dnsPacket.AUTHORITATIVE_ANSWER, rcode: 'REFUSED' } as Packet;
    const labels = name.slice(0, name.length - domain.length).replace(/\.$/, '').split('.').filter((l) => l !== '');
    const answers = this.lookup(labels, question);
    if (answers === undefined) return { ...base, rcode: 'NXDOMAIN', authorities: [this.soa()] } as Packet;
    if (answers.length === 0) return { ...base, authorities: [this.soa()] };
    return { ...base, answers };
  }

  private lookup(labels: string[], question: Question): Answer[] | undefined {
    const server = this.server();
    if (!server) return undefined;
    // Strip an optional `<dc>.` / `<dc>.dc.` locality after the keyword.
    const kwAt = labels.findIndex((l, i) => (l === 'service' || l === 'node') && i > 0);
    if (kwAt < 0) return undefined;
    const kind = labels[kwAt] as string;
    const after = labels.slice(kwAt + 1).filter((l) => l !== 'dc');
    if (after.length > 1 || (after.length === 1 && after[0]?.toLowerCase() !== this.opts.datacenter)) return undefined;
    const head = labels.slice(0, kwAt);
    const fqdn = question.name.replace(/\.$/, '');
    if (kind === 'node') return this.nodeLookup(server, head.join('.'), fqdn, question.type);
    const svc = head[head.length - 1] as string;
    const tag = head.length > 1 ? head.slice(0, -1).join('.') : undefined;
    return this.serviceLookup(server, svc, tag, fqdn, question.type);
  }

  private nodeLookup(server: Server, node: string, fqdn: string, type: string): Answer[] | undefined {
    const n = getNode(server.store, node);
    if (!n) return undefined;
    if (type !== 'A' && type !== 'ANY') return [];
    return net.isIPv4(n.Address) ? [{ type: 'A', name: fqdn, ttl: this.opts.nodeTtl, data: n.Address }] : [];
  }

  private serviceLookup(server: Server, svc: string, tag: string | undefined, fqdn: string, type: string): Answer[] | undefined {
    const healthy = serviceInstances(server.store, svc, tag ? [tag] : []).filter(
      (i) => !nodeChecks(server.store, i.node.Node).some((c) => c.Status === 'critical' && (c.ServiceID === '' || c.ServiceID === i.service.ID)),
    );
    if (healthy.length === 0) return undefined;
    shuffle(healthy);
    const ttl = this.opts.serviceTtl;
    const dc = this.opts.datacenter;
    const out: Answer[] = [];
    for (const i of healthy) {
      const addr = i.service.Address || i.node.Address;
      if (type === 'SRV') {
        out.push({ type: 'SRV', name: fqdn, ttl, data: { priority: 1, weight: i.service.Weights.Passing, port: i.service.Port, target: `${i.node.Node}.node.${dc}.${this.opts.domain}` } });
      } else if ((type === 'A' || type === 'ANY') && net.isIPv4(addr)) {
        if (!out.some((a) => a.type === 'A' && a.data === addr)) out.push({ type: 'A', name: fqdn, ttl, data: addr });
      } else if ((type === 'A' || type === 'ANY') && !net.isIP(addr)) {
        out.push({ type: 'CNAME', name: fqdn, ttl, data: addr });
      }
    }
    return out;
  }

  private soa(): Answer {
    const d = this.opts.domain;
    return {
      type: 'SOA',
      name: d,
      ttl: 0,
      data: { mname: `ns.${d}`, rname: `hostmaster.${d}`, serial: Math.floor(Date.now() / 1000), refresh: 3600, retry: 600, expire: 86400, minimum: 0 },
    };
  }
}

function shuffle<T>(a: T[]): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
}
