// Response assembly (limits.ts): an EDNS answer is measured by encoding it, and those bytes are
// what is sent, so a large answer is not encoded twice; a too-large one is still cut to fit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeStats } from '../../../src/core/dns/encode.js';
import { answersOf, ask, Catalog, flagsOf, handlerFor } from './fixtures.js';
import dnsPacket from 'dns-packet';

function fiftyWeb(): Catalog {
  const cat = new Catalog();
  for (let i = 0; i < 50; i++) cat.register({ Node: `node-${i}`, Address: `10.0.0.${i + 1}` }, { ID: 'web', Service: 'web', Port: 8080 });
  return cat;
}

test('an EDNS answer that fits is encoded once: the bytes measured are the bytes sent', () => {
  const h = handlerFor(fiftyWeb());
  for (const qtype of ['A', 'SRV'] as const) {
    ask(h, 'web.service.consul', qtype, { edns: 4096 }); // prepares the answer for this catalog index
    const before = encodeStats.messages;
    const p = ask(h, 'web.service.consul', qtype, { edns: 4096 });
    // Pre-encoded records (preencoded.ts): no message encoding at all per query.
    assert.ok(encodeStats.messages - before <= 1, `${qtype}: at most one encoding`);
    assert.equal(answersOf(p, qtype).length, 50);
    assert.equal(flagsOf(p) & dnsPacket.TRUNCATED_RESPONSE, 0);
    assert.equal(p.id, 42, 'the ID of the question');
  }
  const srv = ask(h, 'web.service.consul', 'SRV', { edns: 4096 });
  assert.equal((srv.additionals ?? []).filter((a) => a.type === 'A').length, 50, "each target's A record rides along");
});

test('an EDNS answer larger than the offered size is still cut to fit it, with TC', () => {
  const h = handlerFor(fiftyWeb(), { enableTruncate: true });
  const p = ask(h, 'web.service.consul', 'SRV', { edns: 1232 });
  const n = answersOf(p, 'SRV').length;
  assert.ok(n > 1 && n < 50, `cut to ${n} answers`);
  assert.ok(p.raw.length <= 1232, `${p.raw.length} bytes`);
  assert.ok(flagsOf(p) & dnsPacket.TRUNCATED_RESPONSE);
  assert.equal((p.additionals ?? []).filter((a) => a.type === 'A').length, n, 'Additional records leave with their answers');
});
