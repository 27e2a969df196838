import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, before, test } from 'node:test';
import dnsPacket from 'dns-packet';
import { Catalog, handlerFor, query, rcodeOf } from './fixtures.js';

// A fake upstream: answers example.com A over UDP (truncated for big.example.com) and over TCP
// (the full answer), SERVFAIL for fail.example.com.
let udp: dgram.Socket;
let tcp: net.Server;
let port = 0;

function answer(q: Buffer, truncate: boolean): Buffer {
  const p = dnsPacket.decode(q);
  const name = p.questions?.[0]?.name ?? '';
  const fail = name.startsWith('fail');
  const count = name.startsWith('big') && !truncate ? 40 : 1;
  return dnsPacket.encode({
    type: 'response',
    id: p.id,
    flags: dnsPacket.RECURSION_AVAILABLE | (truncate && name.startsWith('big') ? dnsPacket.TRUNCATED_RESPONSE : 0) | (fail ? 2 : 0),
    questions: p.questions,
    answers: fail ? [] : Array.from({ length: count }, (_, i) => ({ type: 'A' as const, name, ttl: 60, data: `192.0.2.${i + 1}` })),
  });
}

/** Bind UDP on a free port and TCP on the same number; retry when another socket holds the TCP side. */
async function bindBoth(): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    udp = dgram.createSocket('udp4');
    udp.on('message', (m, r) => udp.send(answer(m, true), r.port, r.address));
    await new Promise<void>((res) => udp.bind(0, '127.0.0.1', () => res()));
    port = udp.address().port;
    tcp = net.createServer((s) => {
      s.on('data', (d) => {
        const out = answer(d.subarray(2, 2 + d.readUInt16BE(0)), false);
        const head = Buffer.alloc(2);
        head.writeUInt16BE(out.length);
        s.end(Buffer.concat([head, out]));
      });
    });
    try {
      await new Promise<void>((res, rej) => {
        tcp.once('error', rej);
        tcp.listen(port, '127.0.0.1', () => res());
      });
      return;
    } catch (err) {
      udp.close();
      if (attempt >= 20) throw err;
    }
  }
}

before(bindBoth);

after(() => {
  udp.close();
  tcp.close();
});

test('names outside the domain go to the recursor; its answer comes back as is', async () => {
  const h = handlerFor(new Catalog(), { recursors: [`127.0.0.1:${port}`] });
  const out = await h.handle(query('example.com', 'A', { id: 777 }), false);
  assert.ok(out);
  const p = dnsPacket.decode(out);
  assert.equal(p.id, 777);
  assert.deepEqual((p.answers ?? []).map((a) => (a as { data: string }).data), ['192.0.2.1']);
});

test('a truncated UDP answer is retried over TCP', async () => {
  const h = handlerFor(new Catalog(), { recursors: [`127.0.0.1:${port}`] });
  const out = await h.handle(query('big.example.com', 'A', { edns: 4096 }), false);
  assert.equal(dnsPacket.decode(out as Buffer).answers?.length, 40);
});

test('failing recursors: the next one is tried, then SERVFAIL', async () => {
  const dead = `127.0.0.1:1`;
  const h = handlerFor(new Catalog(), { recursors: [dead, `127.0.0.1:${port}`], recursorTimeoutMs: 300 });
  assert.equal(dnsPacket.decode((await h.handle(query('example.com'), false)) as Buffer).answers?.length, 1);
  const out = await h.handle(query('fail.example.com'), false);
  const p = dnsPacket.decode(out as Buffer);
  assert.equal(rcodeOf(p), 'SERVFAIL');
  assert.ok((p.flags ?? 0) & dnsPacket.RECURSION_AVAILABLE);
});
