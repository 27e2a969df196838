// Hostile or broken peers: garbage, oversized lengths, wrong protocol bytes and bad frames close
// only the offending connection (with a logged error); the server keeps serving everyone else.
// Likewise a client whose server talks nonsense fails its calls and recovers.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { encode } from '@msgpack/msgpack';
import { RpcClient, RpcError } from '../../../src/core/rpc/index.js';
import { frameOf } from '../../../src/core/rpc/frame.js';
import { SeededRng } from '../../../src/core/support/rng.js';
import { CaptureLogger, rawSession, startServer } from './harness.js';

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const RPC = Uint8Array.of(0x01);
const bytes = (...parts: Uint8Array[]): Buffer => Buffer.concat(parts);

test('bad input closes only the offending connection, logged, and the server keeps serving', async () => {
  const logger = new CaptureLogger();
  const server = await startServer({ logger, maxFrameBytes: 1024 * 1024 });
  cleanups.push(() => server.close());
  const c = new RpcClient();
  cleanups.push(() => c.close());
  assert.equal(await c.call(server.address, 'echo', 'before'), 'before');

  const cases: [string, Uint8Array][] = [
    ['wrong first byte', Buffer.from('GET / HTTP/1.1\r\n\r\n')],
    ['oversized length', bytes(RPC, Uint8Array.of(0xff, 0xff, 0xff, 0xff))],
    ['just over the limit', bytes(RPC, Uint8Array.of(0x00, 0x10, 0x00, 0x01))],
    ['malformed msgpack', bytes(RPC, frameOf(Uint8Array.of(0xc1, 0xc1)))],
    ['empty frame', bytes(RPC, frameOf(new Uint8Array(0)))],
    ['not a map', bytes(RPC, frameOf(encode([1, 2, 3])))],
    ['response from a client', bytes(RPC, frameOf(encode({ t: 'res', id: 1, b: 1 })))],
    ['request without id', bytes(RPC, frameOf(encode({ t: 'req', m: 'echo' })))],
  ];
  for (const [name, input] of cases) {
    const errorsBefore = server.stats.protocolErrors;
    assert.equal(await rawSession(server.port, input), 'closed', name);
    assert.equal(server.stats.protocolErrors, errorsBefore + 1, name);
  }
  assert.ok(logger.lines.some((l) => l.startsWith('error ') && l.includes('unknown protocol byte 0x47')), logger.lines.join('\n'));
  assert.ok(logger.lines.some((l) => l.includes('exceeds the limit')));

  // Seeded random garbage, half of it behind a valid protocol byte so it reaches the frame parser.
  const rng = new SeededRng(1234);
  const sessions: Promise<'closed' | 'open'>[] = [];
  for (let i = 0; i < 30; i++) {
    const junk = new Uint8Array(1 + rng.int(300)).map(() => rng.int(256));
    if (i % 2 === 0) junk[0] = 0x01;
    sessions.push(rawSession(server.port, junk, 150));
  }
  await Promise.all(sessions);

  // The pooled client connection opened before all this still works, and so do new ones.
  assert.equal(await c.call(server.address, 'echo', 'after'), 'after');
  assert.equal(c.stats.dials, 1);
  const fresh = new RpcClient();
  cleanups.push(() => fresh.close());
  assert.equal(await fresh.call(server.address, 'echo', 'fresh'), 'fresh');
});

test('a server that answers garbage fails the pending call with conn; the client recovers', async () => {
  let mode: 'garbage' | 'unknown-id-then-garbage' = 'garbage';
  const liar = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', () => {
      if (mode === 'garbage') s.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1, 2, 3));
      else s.write(bytes(frameOf(encode({ t: 'res', id: 999, b: 'stray' })), frameOf(encode({ t: 'msg', m: 'x' }))));
    });
  });
  await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => liar.close(() => r())));
  const addr = `127.0.0.1:${(liar.address() as net.AddressInfo).port}`;
  const logger = new CaptureLogger();
  const c = new RpcClient({ logger, timeoutMs: 2000 });
  cleanups.push(() => c.close());
  for (const m of ['garbage', 'unknown-id-then-garbage'] as const) {
    mode = m;
    await assert.rejects(c.call(addr, 'echo', 1), (err: unknown) => err instanceof RpcError && err.kind === 'conn' && /protocol error/.test(err.message));
  }
  assert.equal(c.stats.dials, 2);
  assert.equal(logger.lines.filter((l) => l.startsWith('error ')).length, 2);
});

test('rpc_max_conns_per_client: a connection over the limit is closed at once, a freed slot is usable again', async () => {
  const { RpcServer } = await import('../../../src/core/rpc/server.js');
  const errors: string[] = [];
  const server = new RpcServer({ maxConnsPerClient: 2, logger: { debug() {}, warn() {}, error: (m: string) => void errors.push(m) } });
  await server.listen('127.0.0.1', 0);
  const port = Number(server.address.split(':').pop());
  const open = (): Promise<net.Socket> =>
    new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s));
    });
  const closed = (s: net.Socket, ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      s.once('close', () => (clearTimeout(t), resolve(true)));
      s.resume();
    });
  try {
    const a = await open();
    const b = await open();
    const c = await open();
    assert.equal(await closed(c, 2_000), true, 'the third connection is refused');
    assert.match(errors.join('\n'), /rejecting RPC conn from because rpc_max_conns_per_client exceeded/);
    assert.equal(await closed(b, 200), false, 'the admitted ones stay open');
    a.destroy();
    await closed(a, 1_000);
    await new Promise((r) => setTimeout(r, 50));
    const d = await open();
    assert.equal(await closed(d, 300), false, 'a freed slot admits a new connection');
    b.destroy();
    d.destroy();
  } finally {
    await server.close();
  }
});
