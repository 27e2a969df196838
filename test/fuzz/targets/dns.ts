// DNS: whole messages into the handler that the UDP and TCP servers call. The handler must drop
// or answer every message without reaching its catch-all (which turns a bug into SERVFAIL), and
// every answer must be a well-formed DNS message.
import dnsPacket, { type RecordType } from 'dns-packet';
import fc from 'fast-check';
import type { DnsHandler } from '../../../src/core/dns/handler.js';
import type { Logger } from '../../../src/core/support/logger.js';
import { Catalog } from '../../unit/dns/fixtures.js';
import { DNS_DEFAULTS } from '../../../src/core/dns/config.js';
import { DnsHandler as Handler } from '../../../src/core/dns/handler.js';
import { bytesLike, type FuzzTarget } from '../target.js';

const TYPES = ['A', 'AAAA', 'SRV', 'TXT', 'ANY' as RecordType, 'PTR', 'CNAME', 'SOA', 'NS', 'MX'] as RecordType[];
const label = fc.oneof(fc.constantFrom('web', 'db', 'node1', '_web', '_tcp', 'primary', 'service', 'node', 'addr', 'query', 'connect', 'dc1', 'consul', 'in-addr', 'arpa', '7f000001', '1'), fc.stringMatching(/^[a-z0-9_-]{1,12}$/));
const name = fc.array(label, { minLength: 1, maxLength: 7 }).map((ls) => ls.join('.'));

const validQuery = fc
  .record({ id: fc.integer({ min: 0, max: 0xffff }), name, type: fc.constantFrom(...TYPES), edns: fc.option(fc.integer({ min: 0, max: 65535 })), rd: fc.boolean() })
  .map((q) =>
    dnsPacket.encode({
      type: 'query',
      id: q.id,
      flags: q.rd ? dnsPacket.RECURSION_DESIRED : 0,
      questions: [{ type: q.type, name: q.name }],
      additionals: q.edns === null ? [] : [{ type: 'OPT', name: '.', udpPayloadSize: q.edns, flags: 0, options: [] } as never],
    }),
  );

let handler: DnsHandler | undefined;
let caughtAll: string | undefined;

export const dnsTarget: FuzzTarget<{ msg: Uint8Array; tcp: boolean }> = {
  name: 'dns',
  surface: 'DNS messages (UDP and TCP) into the DNS handler',
  arbitrary: fc.record({ msg: bytesLike(validQuery), tcp: fc.boolean() }),
  refusals: [],
  async setup() {
    const cat = new Catalog()
      .register({ Node: 'node1', Address: '10.0.0.1' }, { Service: 'web', Tags: ['primary'], Port: 80 })
      .register({ Node: 'node2', Address: 'fe80::1' }, { Service: 'web', ID: 'web2', Port: 81 })
      .register({ Node: 'ext', Address: 'example.com' }, { Service: 'db', Port: 5432 });
    const log = {
      warn: (m: string) => void (caughtAll = m),
      error: (m: string) => void (caughtAll = m),
      debug() {},
      info() {},
      trace() {},
      named: () => log,
    } as unknown as Logger;
    handler = new Handler({ ...DNS_DEFAULTS }, () => cat.server(), log);
  },
  async run({ msg, tcp }) {
    caughtAll = undefined;
    const out = await handler!.handle(Buffer.from(msg), tcp);
    if (caughtAll !== undefined) throw new Error(`the handler's catch-all answered SERVFAIL: ${caughtAll}`);
    if (out) dnsPacket.decode(out);
  },
};
