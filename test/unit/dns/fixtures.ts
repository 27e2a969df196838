// Shared fixtures for the DNS unit tests: a state store with a small catalog, a fake Server that
// answers from it, and helpers to ask the handler and decode its answers with dns-packet.
import dnsPacket, { type Packet, type RecordType } from 'dns-packet';
import { StateStore } from '../../../src/core/state/store.js';
import { ensureCheckTxn, ensureRegistrationTxn } from '../../../src/core/state/catalog.js';
import type { HealthCheck, HealthStatus, RegisterRequest } from '../../../src/core/structs/catalog.js';
import { DNS_DEFAULTS, type DnsOptions } from '../../../src/core/dns/config.js';
import { DnsHandler } from '../../../src/core/dns/handler.js';
import type { Server } from '../../../src/core/server/index.js';
import type { Logger } from '../../../src/core/support/logger.js';

export const quietLog = { warn() {}, debug() {}, info() {}, error() {}, named() { return quietLog; } } as unknown as Logger;

export class Catalog {
  readonly store = new StateStore();
  private index = 0;

  register(r: Partial<RegisterRequest> & { Node: string }, svc?: Partial<NonNullable<RegisterRequest['Service']>>): this {
    const txn = this.store.begin(++this.index);
    ensureRegistrationTxn(txn, {
      ID: '',
      Address: '10.0.0.1',
      Datacenter: 'dc1',
      TaggedAddresses: {},
      NodeMeta: {},
      Checks: [],
      SkipNodeUpdate: false,
      ...r,
      Service: svc
        ? { Kind: '', ID: svc.Service ?? 'web', Service: 'web', Tags: [], Address: '', TaggedAddresses: {}, Meta: {}, Port: 80, Weights: { Passing: 1, Warning: 1 }, EnableTagOverride: false, ...svc }
        : null,
    });
    this.store.commit(txn);
    return this;
  }

  check(node: string, checkId: string, status: HealthStatus, serviceId = ''): this {
    const txn = this.store.begin(++this.index);
    const c: Omit<HealthCheck, 'CreateIndex' | 'ModifyIndex'> = {
      Node: node,
      CheckID: checkId,
      Name: checkId,
      Status: status,
      Notes: '',
      Output: '',
      ServiceID: serviceId,
      ServiceName: '',
      ServiceTags: [],
      Type: '',
      Interval: '',
      Timeout: '',
      ExposedPort: 0,
      Definition: {},
    };
    ensureCheckTxn(txn, c);
    this.store.commit(txn);
    return this;
  }

  server(): Server {
    return { store: this.store, lastContactMs: () => 0, readCheck: () => undefined } as unknown as Server;
  }
}

export function handlerFor(cat: Catalog, opts: Partial<DnsOptions> = {}): DnsHandler {
  return new DnsHandler({ ...DNS_DEFAULTS, ...opts }, () => cat.server(), quietLog);
}

export interface AskOptions {
  edns?: number;
  tcp?: boolean;
  id?: number;
}

export function query(name: string, type: RecordType = 'A', o: AskOptions = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: o.id ?? 42,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name }],
    additionals: o.edns ? [{ type: 'OPT', name: '.', udpPayloadSize: o.edns, flags: 0, options: [] } as never] : [],
  });
}

/** Ask synchronously (in-domain answers are synchronous) and decode. */
export function ask(h: DnsHandler, name: string, type: RecordType = 'A', o: AskOptions = {}): Packet & { raw: Buffer } {
  const out = h.handle(query(name, type, o), o.tcp ?? false);
  if (!(out instanceof Buffer)) throw new Error(`no synchronous answer for ${name} ${type}`);
  return Object.assign(dnsPacket.decode(out), { raw: out });
}

export const rcodeOf = (p: Packet): string => (p as { rcode?: string }).rcode ?? 'NOERROR';
export const flagsOf = (p: Packet): number => p.flags ?? 0;
export const answersOf = (p: Packet, type?: string): any[] => (p.answers ?? []).filter((a) => !type || a.type === type);
