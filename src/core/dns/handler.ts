// One DNS message in, one out: decode, route by name, look up, limit, encode
// (Consul: agent/dns.go handleQuery / dispatch; agent/dns/router.go HandleRequest).
//
// MUST:
// - Never throw: an undecodable packet or a response is dropped (undefined); a failure while
//   answering is SERVFAIL.
// - Answers inside the domain are authoritative; RA only when recursors are configured; names
//   outside are forwarded to the recursors, else REFUSED.
// - The in-domain path is synchronous while this server may answer from its own state (the common
//   case: allow_stale, or the leader within its lease); only consistency waits and recursion are async.
import { CatalogView, connectKey } from './catalog-view.js';
import { decodeQuery } from './decode.js';
import type { DnsOptions } from './config.js';
import { TYPE, type Rcode } from './encode.js';
import { errorResponse, respond, type QueryContext } from './limits.js';
import { addrLookup } from './lookup/addr.js';
import { nodeLookup } from './lookup/node.js';
import { ptrLookup } from './lookup/ptr.js';
import { serviceLookup } from './lookup/service.js';
import { nsLookup, soaLookup } from './lookup/soa-ns.js';
import { nxdomain, type Prepared } from './lookup/types.js';
import { parseName, type ParsedName } from './parse-name.js';
import { recurse } from './recursor.js';
import { queryAnswer, queryName, type QueryExecutor } from './lookup/query.js';
import type { Server } from '../server/index.js';
import type { Authorizer, RequestAcl } from '../acl/index.js';
import type { Logger } from '../support/logger.js';

export type Reply = Buffer | Promise<Buffer | undefined> | undefined;

const TYPE_NAMES = new Map<number, string>(Object.entries(TYPE).map(([k, v]) => [v, k]));

interface Question {
  name: string;
  type: number;
  class: number;
}

/** A client agent's way to have a server answer an in-domain question (the whole packet). */
export type DnsForwarder = (msg: Buffer, isTcp: boolean) => Promise<Buffer | undefined>;

/**
 * The identity DNS answers with (Consul: the agent's acl.tokens.default, else anonymous), from the
 * ACL resolver (AclResolver.resolve(undefined)); unset while ACLs are off.
 */
export type DnsIdentity = () => RequestAcl | Promise<RequestAcl>;

export class DnsHandler {
  private view: CatalogView | undefined;
  /** Set on client agents: they hold no catalog, so in-domain questions go to a server. */
  remote: DnsForwarder | undefined;
  /** Set when ACLs are on (src/core/acl): what the DNS token may see. */
  identity: DnsIdentity | undefined;
  /** Set on servers: runs a prepared query for `<name>.query.<domain>` (lookup/query.ts). */
  queries: QueryExecutor | undefined;
  /** Set on servers: a question about another datacenter is answered by one of its servers. */
  otherDc: ((dc: string, msg: Buffer, isTcp: boolean) => Promise<Buffer | undefined>) | undefined;

  constructor(
    readonly opts: DnsOptions,
    private readonly server: () => Server | undefined,
    private readonly log: Logger,
  ) {}

  /** Answer one message; undefined means drop it. */
  handle(msg: Buffer, isTcp: boolean): Reply {
    // A response (QR set) is never answered: that is how reflection loops start.
    if (msg.length < 12 || ((msg[2] as number) & 0x80) !== 0) return undefined;
    const d = decodeQuery(msg);
    if (!d) return undefined;
    const question = d.question;
    const q: QueryContext = { id: d.id, flags: d.flags, question: question ?? { name: '', type: 0, class: 1 }, isTcp, edns: d.edns };
    try {
      if (!question || d.qdcount !== 1) return errorResponse(q, this.opts, 'FORMERR', false, false);
      if (((q.flags >> 11) & 0xf) !== 0) return errorResponse(q, this.opts, 'NOTIMP');
      return this.route(msg, q, question);
    } catch (err) {
      this.log.warn(`dns: failed to answer ${question?.name ?? '?'}: ${(err as Error).message}`);
      return this.safeError(q, 'SERVFAIL');
    }
  }

  private safeError(q: QueryContext, rcode: Rcode): Buffer | undefined {
    try {
      return errorResponse(q, this.opts, rcode);
    } catch {
      return undefined;
    }
  }

  private route(msg: Buffer, q: QueryContext, question: Question): Reply {
    const identity = this.server() ? this.identity?.() : undefined;
    if (identity instanceof Promise) {
      return identity.then(
        (acl) => this.routeAs(msg, q, question, acl.enabled ? acl.authz : undefined),
        () => this.safeError(q, 'SERVFAIL'),
      );
    }
    return this.routeAs(msg, q, question, identity?.enabled ? identity.authz : undefined);
  }

  private routeAs(msg: Buffer, q: QueryContext, question: Question, authz: Authorizer | undefined): Reply {
    const server = this.server();
    const key = `${question.type} ${question.name}`;
    const wait = server ? this.consistencyWait(server) : undefined;
    // Hot path: the same question at the same catalog index was prepared already.
    if (server && !wait && this.view) {
      const view = (this.view = CatalogView.current(this.view, server.store, authz));
      const hit = view.memo.get(key) as Prepared | undefined;
      if (hit) return respond(hit, q, this.opts, nowS());
    }
    const qtype = TYPE_NAMES.get(question.type) ?? `TYPE${question.type}`;
    const parsed = parseName(question.name, qtype === 'SRV', this.opts);
    if (parsed.kind === 'outside') return this.forward(msg, q);
    if (qtype === 'AXFR' || qtype === 'IXFR') return errorResponse(q, this.opts, 'NOTIMP', true);
    if (!server) return this.remote ? this.askServer(this.remote, msg, q) : errorResponse(q, this.opts, 'SERVFAIL');
    const dc = 'dc' in parsed ? parsed.dc : undefined;
    if (dc !== undefined && dc !== this.opts.datacenter && this.otherDc && qtype !== 'SOA' && qtype !== 'NS') return this.askOtherDc(this.otherDc, dc, msg, q, parsed.domain);
    if (parsed.kind === 'unsupported' && parsed.keyword === 'query' && this.queries && qtype !== 'SOA' && qtype !== 'NS') {
      // Never memoized: a query's answer depends on its definition, not only on the catalog.
      const name = queryName(parsed.subject);
      return this.queries(name).then(
        (r) => respond(queryAnswer(r, this.opts, { qname: q.question.name, qtype, domain: parsed.domain }), q, this.opts, nowS()),
        (err: unknown) => {
          this.log.warn(`dns: prepared query ${name} failed: ${(err as Error).message}`);
          return this.safeError(q, 'SERVFAIL');
        },
      );
    }
    if (!wait) return this.answer(server, msg, q, key, qtype, parsed, authz);
    return wait.then(
      () => this.answer(server, msg, q, key, qtype, parsed, authz),
      () => this.safeError(q, 'SERVFAIL'),
    );
  }

  private askServer(remote: DnsForwarder, msg: Buffer, q: QueryContext): Promise<Buffer | undefined> {
    return remote(msg, q.isTcp).catch((err: unknown) => {
      this.log.warn(`dns: rpc error: ${(err as Error).message}`);
      return this.safeError(q, 'SERVFAIL');
    });
  }

  /**
   * Consul answers <name>.<dc>.<domain> by asking that datacenter's servers; here one of them
   * answers the whole question. No path to the datacenter is NXDOMAIN, as an unknown one is.
   */
  private askOtherDc(ask: NonNullable<DnsHandler['otherDc']>, dc: string, msg: Buffer, q: QueryContext, domain: string): Promise<Buffer | undefined> {
    return ask(dc, msg, q.isTcp).then(
      (answer) => answer ?? this.safeError(q, 'SERVFAIL'),
      (err: unknown) => {
        if ((err as { status?: number }).status === 500 && (err as Error).message === 'No path to datacenter') return respond(nxdomain(domain), q, this.opts, nowS());
        this.log.warn(`dns: rpc error: ${(err as Error).message}`);
        return this.safeError(q, 'SERVFAIL');
      },
    );
  }

  /** undefined when this server may answer from its own state now (Consul: allow_stale / max_stale). */
  private consistencyWait(server: Server): Promise<void> | undefined {
    if (this.opts.allowStale && server.lastContactMs() <= this.opts.maxStaleMs) return undefined;
    return server.readCheck('default');
  }

  private answer(
    server: Server,
    msg: Buffer,
    q: QueryContext,
    key: string,
    qtype: string,
    parsed: Exclude<ParsedName, { kind: 'outside' }>,
    authz: Authorizer | undefined,
  ): Reply {
    const view = (this.view = CatalogView.current(this.view, server.store, authz));
    const qname = q.question.name;
    if (parsed.kind === 'ptr') {
      // PTR answers are not memoized: a miss may be forwarded, and the memo holds answers only.
      const p = ptrLookup(view, this.opts, qname, qtype, parsed.ip);
      if (p) return respond(p, q, this.opts, nowS());
      return this.opts.recursors.length > 0 ? this.forward(msg, q) : respond(nxdomain(this.opts.domain), q, this.opts, nowS());
    }
    const p = view.remember(key, () => this.lookup(view, qname, qtype, parsed));
    return respond(p, q, this.opts, nowS());
  }

  private lookup(view: CatalogView, qname: string, qtype: string, parsed: Exclude<ParsedName, { kind: 'outside' | 'ptr' }>): Prepared {
    const domain = parsed.domain;
    if (qtype === 'SOA') return soaLookup(view, this.opts, domain);
    if (qtype === 'NS') return nsLookup(view, this.opts, domain);
    switch (parsed.kind) {
      case 'node':
        if (parsed.dc !== this.opts.datacenter) return nxdomain(domain);
        return nodeLookup(view, this.opts, qname, qtype, parsed.node, domain);
      case 'service':
        if (parsed.dc !== this.opts.datacenter) return nxdomain(domain);
        return serviceLookup(view, this.opts, { qname, qtype, service: parsed.service, tag: parsed.tag, domain });
      case 'addr':
        if (parsed.dc !== this.opts.datacenter) return nxdomain(domain);
        return addrLookup(qname, qtype, parsed.hex, this.opts.nodeTtlS, domain);
      case 'unsupported':
        // Consul: <service>.connect.<domain> answers with the service's proxies and native instances.
        if (parsed.keyword !== 'connect' || parsed.dc !== this.opts.datacenter || parsed.subject === '' || parsed.subject.includes('.')) return nxdomain(domain);
        return serviceLookup(view, this.opts, { qname, qtype, service: connectKey(parsed.subject), tag: undefined, domain });
      default:
        // apex, bad shapes, and lookups not built yet (prepared queries, ingress, virtual)
        return nxdomain(domain);
    }
  }

  private forward(msg: Buffer, q: QueryContext): Reply {
    if (this.opts.recursors.length === 0) return errorResponse(q, this.opts, 'REFUSED');
    const maxUdp = q.edns && q.edns.udpSize > 512 ? q.edns.udpSize : 512;
    return recurse(msg, { recursors: this.opts.recursors, timeoutMs: this.opts.recursorTimeoutMs, strategy: this.opts.recursorStrategy }, q.isTcp, maxUdp).then(
      (answer) => {
        if (answer) return answer;
        this.log.debug(`dns: all recursors failed for ${q.question.name}`);
        return this.safeError(q, 'SERVFAIL');
      },
      () => this.safeError(q, 'SERVFAIL'),
    );
  }
}

const nowS = (): number => Math.floor(Date.now() / 1000);
