// Holding a forwarded call through a leader election (server/leader-forward.ts; Consul rpc.go
// ForwardRPC + canRetry), and the RPC client's "never sent" mark it relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errors, HttpError } from '../../../src/core/errors.js';
import { RpcClient, RpcError } from '../../../src/core/rpc/index.js';
import { canRetry, forwardToLeader, type LeaderTarget } from '../../../src/core/server/index.js';
import { freePort } from '../../support/free-port.js';
import { startServer } from '../rpc/harness.js';

const at = (addr: string): LeaderTarget => ({ self: false, addr });
const refused = (): RpcError => new RpcError('conn', 'rpc: failed to connect: ECONNREFUSED', true);
const lost = (): RpcError => new RpcError('conn', 'rpc: connection lost: ECONNRESET');

test('canRetry: no leader always; I/O errors when nothing was sent, or for reads; never application errors', () => {
  for (const isRead of [true, false]) {
    assert.equal(canRetry(Errors.noLeader(), isRead), true);
    assert.equal(canRetry(new RpcError('remote', 'No cluster leader'), isRead), true);
    assert.equal(canRetry(refused(), isRead), true);
    assert.equal(canRetry(new RpcError('remote', 'Permission denied'), isRead), false);
    assert.equal(canRetry(new HttpError(400, 'bad'), isRead), false);
    assert.equal(canRetry(new RpcError('timeout', 'timed out'), isRead), false);
  }
  assert.equal(canRetry(lost(), true), true);
  assert.equal(canRetry(lost(), false), false, 'a write may have committed before the connection broke');
});

test('waits for a leader to be elected, then forwards to it', async () => {
  let leader: LeaderTarget;
  setTimeout(() => (leader = at('new:8300')), 150);
  const calls: string[] = [];
  const t0 = Date.now();
  const r = await forwardToLeader({ leader: () => leader, call: async (a) => (calls.push(a), 'ok'), isRead: false, holdTimeoutMs: 5_000 });
  assert.equal(r, 'ok');
  assert.deepEqual(calls, ['new:8300']);
  assert.ok(Date.now() - t0 < 1_000, 'woke up soon after the election, not after the whole backoff');
});

test('a dead leader (connection refused) is retried until the new one answers, for writes too', async () => {
  let leader: LeaderTarget = at('dead:8300');
  setTimeout(() => (leader = undefined), 100);
  setTimeout(() => (leader = at('new:8300')), 300);
  const calls: string[] = [];
  const r = await forwardToLeader({
    leader: () => leader,
    call: async (a) => {
      calls.push(a);
      if (a === 'dead:8300') throw refused();
      return 'written';
    },
    isRead: false,
    holdTimeoutMs: 5_000,
  });
  assert.equal(r, 'written');
  assert.equal(calls.at(-1), 'new:8300');
  assert.ok(calls.filter((c) => c === 'dead:8300').length >= 1);
});

test('a write whose connection broke mid-call is not retried; a read is', async () => {
  let n = 0;
  const call = async (): Promise<string> => {
    if (n++ === 0) throw lost();
    return 'again';
  };
  await assert.rejects(forwardToLeader({ leader: () => at('l:1'), call, isRead: false, holdTimeoutMs: 5_000 }), (e: unknown) => e instanceof RpcError && e.kind === 'conn');
  assert.equal(n, 1);
  n = 0;
  assert.equal(await forwardToLeader({ leader: () => at('l:1'), call, isRead: true, holdTimeoutMs: 5_000 }), 'again');
  assert.equal(n, 2);
});

test('gives up with "No cluster leader" after the hold timeout; resolves undefined when this server leads', async () => {
  const t0 = Date.now();
  await assert.rejects(
    forwardToLeader({ leader: () => undefined, call: async () => 'never', isRead: true, holdTimeoutMs: 300 }),
    (e: unknown) => e instanceof HttpError && e.message === 'No cluster leader',
  );
  const took = Date.now() - t0;
  assert.ok(took >= 300 && took < 2_000, `held ${took} ms`);
  assert.equal(await forwardToLeader({ leader: () => ({ self: true }), call: async () => 'never', isRead: true, holdTimeoutMs: 300 }), undefined);
});

test('an answer meaning "no leader over there" is retried, and returned as is when the hold runs out', async () => {
  let n = 0;
  const r = await forwardToLeader({ leader: () => at('l:1'), call: async () => ++n, isRead: true, holdTimeoutMs: 200, isNoLeader: () => true });
  assert.ok(n >= 2 && r === n);
});

test('RpcError.neverSent: true when the dial fails, false when an open connection breaks', async () => {
  const client = new RpcClient({ timeoutMs: 5_000 });
  try {
    const port = await freePort();
    await assert.rejects(client.call(`127.0.0.1:${port}`, 'echo', 1), (e: unknown) => e instanceof RpcError && e.kind === 'conn' && e.neverSent);
    const server = await startServer();
    server.handle('hang', () => new Promise(() => undefined));
    assert.equal(await client.call(server.address, 'echo', 7), 7);
    const pending = client.call(server.address, 'hang', 1);
    setTimeout(() => void server.close(), 50);
    await assert.rejects(pending, (e: unknown) => e instanceof RpcError && e.kind === 'conn' && !e.neverSent);
  } finally {
    client.close();
  }
});

// Found by the netns lock test: a follower's forwarded blocking read to a leader that was then
// cut off hung on the silent connection for minutes; `consul lock` never got the lock from the
// new leader. A read is abandoned and retried at the new leader; a write is not (it may commit).
test('a read pending at a deposed leader is retried at the new one; a write keeps waiting', async () => {
  let leader: LeaderTarget = at('old:8300');
  setTimeout(() => (leader = at('new:8300')), 150);
  const hang = new Promise<string>(() => undefined);
  const calls: string[] = [];
  const t0 = Date.now();
  const r = await forwardToLeader({ leader: () => leader, call: async (a) => (calls.push(a), a === 'old:8300' ? hang : 'fresh'), isRead: true, holdTimeoutMs: 5_000 });
  assert.equal(r, 'fresh');
  assert.deepEqual(calls, ['old:8300', 'new:8300']);
  assert.ok(Date.now() - t0 < 2_000, `took ${Date.now() - t0} ms`);

  leader = at('old:8300');
  setTimeout(() => (leader = at('new:8300')), 100);
  let settled = false;
  void forwardToLeader({ leader: () => leader, call: async () => hang, isRead: false, holdTimeoutMs: 5_000 }).finally(() => (settled = true));
  await new Promise((res) => setTimeout(res, 500));
  assert.equal(settled, false, 'a write must not be abandoned: it may still commit at the old leader');
});
