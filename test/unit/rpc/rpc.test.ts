// RpcServer + RpcClient over real loopback sockets: calls, concurrency, errors, timeouts,
// reconnects, one-way messages, pooling and shutdown.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { RpcClient, RpcError, type RpcErrorKind } from '../../../src/core/rpc/index.js';
import { gate, startServer, unusedPort, waitFor } from './harness.js';

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function client(opts: ConstructorParameters<typeof RpcClient>[0] = {}): RpcClient {
  const c = new RpcClient(opts);
  cleanups.push(() => c.close());
  return c;
}

async function rejectsWith(p: Promise<unknown>, kind: RpcErrorKind, message?: string | RegExp): Promise<RpcError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof RpcError, `expected RpcError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected a ${kind} RpcError`);
}

test('request/response with msgpack bodies and the caller address in ctx', async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  const seen: string[] = [];
  server.handle('add', (b, ctx) => {
    seen.push(ctx.remote);
    const { x, y } = b as { x: number; y: number };
    return { sum: x + y };
  });
  server.handle('nothing', (b) => {
    assert.equal(b, undefined);
    return undefined;
  });
  const c = client();
  assert.deepEqual(await c.call(server.address, 'add', { x: 2, y: 3 }), { sum: 5 });
  assert.deepEqual(await c.call(server.address, 'echo', ['a', 1, null, true, { k: 'v' }]), ['a', 1, null, true, { k: 'v' }]);
  assert.equal(await c.call(server.address, 'nothing'), undefined);
  assert.match(seen[0] ?? '', /^127\.0\.0\.1:\d+$/);
  assert.equal(c.stats.dials, 1, 'one pooled connection serves every call');
});

test('1000 concurrent calls share one connection', async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  server.handle('async-echo', async (b) => {
    await new Promise((r) => setImmediate(r));
    return b;
  });
  const c = client();
  const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => c.call(server.address, i % 2 ? 'echo' : 'async-echo', { i })));
  assert.deepEqual(results, Array.from({ length: 1000 }, (_, i) => ({ i })));
  assert.equal(c.stats.dials, 1);
  assert.equal(server.stats.accepted, 1);
  assert.equal(server.stats.requests, 1000);
});

test('answers come back as handlers finish, not in request order', async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  const slowGate = gate();
  server.handle('slow', async () => {
    await slowGate.promise;
    return 'slow';
  });
  const c = client();
  const order: string[] = [];
  const slow = c.call(server.address, 'slow').then((v) => order.push(String(v)));
  const fast = c.call(server.address, 'echo', 'fast').then((v) => order.push(String(v)));
  await fast;
  assert.deepEqual(order, ['fast']);
  slowGate.open();
  await slow;
  assert.deepEqual(order, ['fast', 'slow']);
});

test('8 MiB byte bodies travel both ways intact', async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  server.handle('reverse', (b) => Uint8Array.from(b as Uint8Array).reverse());
  const c = client();
  const blob = new Uint8Array(8 * 1024 * 1024);
  for (let i = 0; i < blob.length; i += 4096) blob[i] = (i >>> 12) & 0xff;
  blob[blob.length - 1] = 0xab;
  const [echoed, reversed] = await Promise.all([c.call(server.address, 'echo', { blob }), c.call(server.address, 'reverse', blob)]);
  assert.ok((echoed as { blob: unknown }).blob instanceof Uint8Array);
  assert.equal(Buffer.compare((echoed as { blob: Uint8Array }).blob, blob), 0);
  assert.equal((reversed as Uint8Array)[0], 0xab);
  assert.equal((reversed as Uint8Array).length, blob.length);
});

test('handler errors pass through as exact text; unknown methods get net/rpc wording', async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  server.handle('leaderless', () => {
    throw new Error('No cluster leader');
  });
  server.handle('async-fail', async () => {
    throw new Error('Permission denied: "x"\nsecond line');
  });
  server.handle('throws-string', () => {
    throw 'plain string';
  });
  const c = client();
  await rejectsWith(c.call(server.address, 'leaderless'), 'remote', 'No cluster leader');
  await rejectsWith(c.call(server.address, 'async-fail'), 'remote', 'Permission denied: "x"\nsecond line');
  await rejectsWith(c.call(server.address, 'throws-string'), 'remote', 'plain string');
  await rejectsWith(c.call(server.address, 'Nope.Nope'), 'remote', "rpc: can't find method Nope.Nope");
  assert.equal(await c.call(server.address, 'echo', 1), 1, 'the connection survives remote errors');
});

test('a call times out, and a late answer is ignored', async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  const g = gate();
  server.handle('hang', async () => {
    await g.promise;
    return 'late';
  });
  const c = client();
  await rejectsWith(c.call(server.address, 'hang', null, { timeoutMs: 30 }), 'timeout', /hang.*timed out after 30ms/);
  g.open();
  assert.equal(await c.call(server.address, 'echo', 'after'), 'after');
  assert.equal(c.stats.dials, 1);
});

test('a server restart fails pending calls with conn; later calls reconnect', async () => {
  const server = await startServer();
  server.handle('hang', () => new Promise(() => {}));
  const port = server.port;
  const c = client();
  assert.equal(await c.call(server.address, 'echo', 1), 1);
  const pending = [c.call(server.address, 'hang'), c.call(server.address, 'hang')];
  await waitFor(() => server.stats.requests === 3, 2000, 'requests to arrive');
  await server.close();
  for (const p of pending) await rejectsWith(p, 'conn', /lost/);
  await rejectsWith(c.call(`127.0.0.1:${port}`, 'echo', 2), 'conn', /failed to connect/);
  const again = await startServer({}, '127.0.0.1', port);
  cleanups.push(() => again.close());
  assert.equal(await c.call(again.address, 'echo', 3), 3);
  assert.equal(c.stats.dials, 3);
});

test('one-way messages arrive in order; failures and unknown methods do not hurt the connection', async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  const got: unknown[] = [];
  server.onMessage('raft', (b, ctx) => {
    assert.match(ctx.remote, /^127\.0\.0\.1:/);
    got.push(b);
  });
  server.onMessage('boom', () => {
    throw new Error('handler bug');
  });
  server.onMessage('async-boom', async () => {
    throw new Error('async handler bug');
  });
  const c = client();
  for (let i = 0; i < 100; i++) {
    if (i === 10) c.send(server.address, 'boom', i);
    if (i === 20) c.send(server.address, 'async-boom', i);
    if (i === 30) c.send(server.address, 'unknown', i);
    assert.equal(c.send(server.address, 'raft', { i, data: Uint8Array.of(i) }), true);
  }
  await waitFor(() => got.length === 100, 2000, 'messages');
  assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => ({ i, data: Uint8Array.of(i) })));
  assert.equal(server.stats.unknownMessages, 1);
  assert.equal(await c.call(server.address, 'echo', 'ok'), 'ok');
  assert.equal(c.stats.dials, 1);
});

test('send drops once the connection backlog exceeds the limit, never throws', async () => {
  // A peer that accepts and never reads.
  const sink = net.createServer((s) => s.pause());
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const sockets: net.Socket[] = [];
  sink.on('connection', (s) => sockets.push(s));
  cleanups.push(() => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), sink.close(() => r()))));
  const port = (sink.address() as net.AddressInfo).port;
  const c = client({ maxSendBacklogBytes: 1024 * 1024 });
  const body = new Uint8Array(1024 * 1024);
  const queued = Array.from({ length: 10 }, () => c.send(`127.0.0.1:${port}`, 'raft', body));
  assert.deepEqual(queued, [true, ...Array(9).fill(false)]);
  assert.equal(c.stats.dropped, 9);
  assert.equal(c.send('not an address', 'raft', 1), false);
  assert.equal(c.send(`127.0.0.1:${port}`, 'raft', 10n), false, 'unencodable body is dropped');
  assert.equal(c.stats.dropped, 11);
});

test('dial failures, bad addresses, bad bodies and closed clients are typed errors', async () => {
  const c = client({ maxFrameBytes: 1024 });
  const port = await unusedPort();
  await rejectsWith(c.call(`127.0.0.1:${port}`, 'echo', 1), 'conn', /failed to connect/);
  await rejectsWith(c.call('127.0.0.1', 'echo', 1), 'conn', /invalid address/);
  const server = await startServer();
  cleanups.push(() => server.close());
  await rejectsWith(c.call(server.address, 'echo', 10n), 'encode');
  await rejectsWith(c.call(server.address, 'echo', new Uint8Array(2000)), 'encode', /too large/);
  const g = gate();
  server.handle('hang', async () => g.promise);
  const pending = c.call(server.address, 'hang');
  await waitFor(() => server.stats.requests === 1, 2000, 'request');
  c.close();
  await rejectsWith(pending, 'closed');
  await rejectsWith(c.call(server.address, 'echo', 1), 'closed');
  assert.equal(c.send(server.address, 'raft', 1), false);
  g.open();
});

test('idle connections are closed and re-dialled on demand', async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  const c = client({ idleTimeoutMs: 40 });
  assert.equal(await c.call(server.address, 'echo', 1), 1);
  assert.equal(c.stats.connections, 1);
  await waitFor(() => c.stats.connections === 0 && server.stats.connections === 0, 2000, 'idle close');
  assert.equal(await c.call(server.address, 'echo', 2), 2);
  assert.equal(c.stats.dials, 2);
});

test('IPv6 loopback addresses in brackets', async (t) => {
  let server;
  try {
    server = await startServer({}, '::1');
  } catch {
    t.skip('no IPv6 loopback');
    return;
  }
  cleanups.push(() => server.close());
  assert.match(server.address, /^\[::1\]:\d+$/);
  const seen: string[] = [];
  server.handle('who', (_b, ctx) => (seen.push(ctx.remote), 'me'));
  assert.equal(await client().call(server.address, 'who'), 'me');
  assert.match(seen[0] ?? '', /^\[::1\]:\d+$/);
});

test('flow control: tiny in-flight and outbound limits pause reading but every call completes', async () => {
  const server = await startServer({ maxInflightPerConn: 4, outboundHighWaterBytes: 1024 });
  cleanups.push(() => server.close());
  server.handle('big', async (b) => {
    await new Promise((r) => setTimeout(r, 1));
    return new Uint8Array(8192).fill(b as number);
  });
  const c = client();
  const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => c.call(server.address, 'big', i % 256)));
  answers.forEach((a, i) => {
    assert.ok(a instanceof Uint8Array && a.length === 8192 && a[8191] === i % 256);
  });
});

test('a response over the frame limit becomes an error answer, not a dead connection', async () => {
  const server = await startServer({ maxFrameBytes: 1024 });
  cleanups.push(() => server.close());
  server.handle('huge', () => new Uint8Array(2048));
  const c = client();
  await rejectsWith(c.call(server.address, 'huge'), 'remote', /^rpc: cannot encode response: .*exceeds the limit of 1024/);
  assert.equal(await c.call(server.address, 'echo', 'still fine'), 'still fine');
});
