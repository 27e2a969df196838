// Pre-encoded answers (preencoded.ts): for the same shuffle, the bytes sent from pre-encoded
// records equal the general encoder's, over random catalogs and questions (name case, EDNS sizes, TCP,
// truncation, answer limits); and a catalog write is seen by the next query.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import dnsPacket, { type RecordType } from 'dns-packet';
import { CatalogView } from '../../../src/core/dns/catalog-view.js';
import { DNS_DEFAULTS, type DnsOptions } from '../../../src/core/dns/config.js';
import { decodeQuery } from '../../../src/core/dns/decode.js';
import { respond, type QueryContext } from '../../../src/core/dns/limits.js';
import { serviceLookup } from '../../../src/core/dns/lookup/service.js';
import { preencodedStats } from '../../../src/core/dns/preencoded.js';
import { encodeStats } from '../../../src/core/dns/encode.js';
import { answersOf, ask, Catalog, flagsOf, handlerFor, query } from './fixtures.js';

const realRandom = Math.random;
afterEach(() => {
  Math.random = realRandom;
});

/** A small deterministic generator (mulberry32), so both paths can be given the same shuffle. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomCatalog(rnd: () => number): Catalog {
  const cat = new Catalog();
  const nodes = 1 + Math.floor(rnd() * 60);
  for (let n = 0; n < nodes; n++) {
    // Dotted node names make one target a suffix of another (a.n3.node... and n3.node...).
    const node = rnd() < 0.1 ? `a.n${n % 5}` : `n${n}`;
    const nodeAddr = rnd() < 0.1 ? `host${n}.example.com` : `10.1.${n >> 8}.${n & 255}`;
    const meta: Record<string, string> = rnd() < 0.3 ? { rack: `r${n % 3}`, 'rfc1035-x': 'y' } : {};
    const count = 1 + Math.floor(rnd() * 3);
    for (let s = 0; s < count; s++) {
      const r = rnd();
      const address = r < 0.2 ? `10.9.0.${Math.floor(rnd() * 200)}` : r < 0.3 ? `fd00::${n}` : r < 0.35 ? `svc${n}.example.com` : '';
      const port = rnd() < 0.2 ? 8080 : 8000 + Math.floor(rnd() * 5);
      cat.register({ Node: node, Address: nodeAddr, NodeMeta: meta }, { ID: `web-${s}`, Service: rnd() < 0.9 ? 'web' : 'Web', Address: address, Port: port, Tags: rnd() < 0.5 ? ['v1'] : [] });
      if (rnd() < 0.15) cat.check(node, `c-${s}`, rnd() < 0.5 ? 'warning' : 'critical', `web-${s}`);
    }
  }
  return cat;
}

const firstDiff = (a: Buffer, b: Buffer): number => {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
};

const QTYPES = ['A', 'AAAA', 'SRV', 'TXT', 'ANY'] as RecordType[];
const NAMES = ['web.service.consul', 'WEB.Service.Consul', 'v1.web.service.consul', '_web._tcp.service.consul', 'web.service.dc1.consul.'];

function opts(rnd: () => number): DnsOptions {
  return {
    ...DNS_DEFAULTS,
    enableTruncate: rnd() < 0.5,
    udpAnswerLimit: 1 + Math.floor(rnd() * 10),
    aRecordLimit: rnd() < 0.2 ? 1 + Math.floor(rnd() * 5) : 0,
    nodeMetaTxt: rnd() < 0.5,
    onlyPassing: rnd() < 0.3,
  };
}

test('pre-encoded answers are byte for byte the general encoder’s, for the same shuffle', () => {
  const rnd = seeded(1);
  const before = preencodedStats.answered;
  let compared = 0;
  for (let c = 0; c < 60; c++) {
    const cat = randomCatalog(rnd);
    const view = CatalogView.current(undefined, cat.store);
    for (let i = 0; i < 25; i++) {
      const o = opts(rnd);
      const qtype = QTYPES[Math.floor(rnd() * QTYPES.length)] as RecordType;
      const qname = NAMES[Math.floor(rnd() * NAMES.length)] as string;
      const edns = [undefined, 512, 1232, 4096, 65000][Math.floor(rnd() * 5)];
      const isTcp = rnd() < 0.2;
      const d = decodeQuery(query(qname, qtype, { edns, id: Math.floor(rnd() * 65536) }));
      assert.ok(d?.question);
      const q: QueryContext = { id: d.id, flags: d.flags, question: d.question, isTcp, edns: d.edns };
      const tag = qname.startsWith('v1.') ? 'v1' : undefined;
      const p = serviceLookup(view, o, { qname: d.question.name, qtype, service: 'web', tag, domain: 'consul.' });
      for (let r = 0; r < 3; r++) {
        const seed = Math.floor(rnd() * 1e9);
        Math.random = seeded(seed);
        const fast = respond(p, q, o, 100);
        Math.random = seeded(seed);
        const general = respond(p, q, o, 100, false);
        Math.random = realRandom;
        assert.ok(fast.equals(general), `differ at byte ${firstDiff(fast, general)} (${fast.length} vs ${general.length} B): catalog ${c}, ${qname} ${qtype} edns=${edns} tcp=${isTcp} ${JSON.stringify(o)}`);
        compared++;
      }
    }
  }
  assert.equal(compared, 60 * 25 * 3);
  // A prepared answer's first query takes the general path (preencoded.ts encodedFor).
  assert.ok(preencodedStats.answered - before > compared / 8, `pre-encoded path used ${preencodedStats.answered - before} of ${compared} times`);
});

test('the pre-encoded path is taken for a 50-instance answer, not re-encoded per query, and follows catalog writes', () => {
  const cat = new Catalog();
  for (let i = 0; i < 50; i++) cat.register({ Node: `node-${i}`, Address: `10.0.0.${i + 1}` }, { ID: 'web', Service: 'web', Port: 8080 });
  const h = handlerFor(cat);
  for (const qtype of ['A', 'SRV'] as const) {
    ask(h, 'web.service.consul', qtype, { edns: 4096 });
    const [msgs, fast] = [encodeStats.messages, preencodedStats.answered];
    const p = ask(h, 'WEB.service.consul', qtype, { edns: 4096 });
    ask(h, 'WEB.service.consul', qtype, { edns: 4096 });
    assert.equal(encodeStats.messages - msgs, 0, `${qtype}: no message encoding per query`);
    assert.equal(preencodedStats.answered - fast, 2);
    // decode.ts lower-cases the question name, and both paths answer with it.
    assert.equal(p.questions?.[0]?.name, 'web.service.consul');
    assert.equal(answersOf(p, qtype).length, 50);
    assert.ok(answersOf(p, qtype).every((a: { name: string }) => a.name === 'web.service.consul'));
  }
  // A write to the service: the next answer carries the new instance and its Additional record.
  cat.register({ Node: 'node-new', Address: '10.0.1.1' }, { ID: 'web', Service: 'web', Port: 9090 });
  const srv = ask(h, 'web.service.consul', 'SRV', { edns: 4096 });
  assert.equal(answersOf(srv, 'SRV').length, 51);
  assert.ok(answersOf(srv, 'SRV').some((a: { data: { port: number; target: string } }) => a.data.port === 9090 && a.data.target === 'node-new.node.dc1.consul'));
  const glue = (srv.additionals ?? []).find((a) => a.name === 'node-new.node.dc1.consul');
  assert.equal((glue as { data?: string } | undefined)?.data, '10.0.1.1');
  // A health change removes it again.
  cat.check('node-new', 'down', 'critical');
  assert.equal(answersOf(ask(h, 'web.service.consul', 'A', { edns: 4096 }), 'A').length, 50);
});

test('plain UDP: the pre-encoded answer keeps the 3-record limit and truncation flag', () => {
  const cat = new Catalog();
  for (let i = 0; i < 50; i++) cat.register({ Node: `node-${i}`, Address: `10.0.0.${i + 1}` }, { ID: 'web', Service: 'web', Port: 8080 });
  const h = handlerFor(cat, { enableTruncate: true });
  const p = ask(h, 'web.service.consul', 'SRV');
  assert.equal(answersOf(p, 'SRV').length, 3);
  assert.ok(flagsOf(p) & dnsPacket.TRUNCATED_RESPONSE);
  assert.equal((p.additionals ?? []).length, 3);
  const targets = new Set(answersOf(p, 'SRV').map((a: { data: { target: string } }) => a.data.target));
  assert.deepEqual(new Set((p.additionals ?? []).map((a) => a.name)), targets);
});
