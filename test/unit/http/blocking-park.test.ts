// Parked blocking queries (issue 16 item 2): no timer per query, one serialized answer per
// (key, index) shared by every query a write wakes, and the wheel that holds the deadlines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StateStore } from '../../../src/core/state/store.js';
import { kvsGet, kvsSetTxn } from '../../../src/core/state/kvs.js';
import { blockingQuery, type MetaResult } from '../../../src/core/http/blocking.js';
import { blockingDeadlines, DeadlineWheel, type Expirable, type WheelClock } from '../../../src/core/http/deadline-wheel.js';
import { RequestContext, type Reply } from '../../../src/core/http/context.js';
import { kvGet } from '../../../src/core/http/handlers/kv.js';
import type { Server } from '../../../src/core/server/index.js';
import type { ApiDeps } from '../../../src/core/http/deps.js';
import { RequestAcl } from '../../../src/core/acl/request-acl.js';
import { ALLOW_ALL } from '../../../src/core/acl/authorizer.js';

const enc = (s: string) => new TextEncoder().encode(s);
const limits = { defaultQueryTimeMs: 300_000, maxQueryTimeMs: 600_000 };

function fakeServer(store: StateStore): Server {
  return { store, readCheck: () => undefined, knownLeader: () => true, lastContactMs: () => 0 } as unknown as Server;
}

function put(store: StateStore, index: number, key: string, value: string): void {
  const txn = store.begin(index);
  kvsSetTxn(txn, { key, value: enc(value), flags: 0 });
  store.commit(txn);
}

const ctxFor = (url: string) => new RequestContext({ headers: {} }, 'GET', url, Buffer.alloc(0));

async function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not settled in ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

test('1,000 parked queries start no timer each: their deadlines share one wheel timer', async () => {
  const store = new StateStore();
  put(store, 5, 'a', 'v0');
  const server = fakeServer(store);
  const started = blockingDeadlines.timersStarted;
  const realSetTimeout = globalThis.setTimeout;
  let timeouts = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    timeouts++;
    return realSetTimeout(...args);
  }) as typeof setTimeout;
  const parked: Promise<MetaResult<string>>[] = [];
  try {
    for (let i = 0; i < 1000; i++) {
      const r = blockingQuery(ctxFor('/v1/kv/a?index=5&wait=60s'), server, limits, (ws) => {
        ws?.key('a');
        return { index: kvsGet(store, 'a').index, value: 'x' };
      });
      assert.ok(r instanceof Promise, 'a query at the current index parks');
      parked.push(r);
    }
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  assert.equal(timeouts, 0, 'no setTimeout per parked query');
  assert.equal(blockingDeadlines.size, 1000, 'every deadline is in the wheel');
  assert.ok(blockingDeadlines.timersStarted - started <= 1, 'at most one real timer for all of them');
  assert.equal(store.watches.size, 1000, 'one watch each, registered without handle objects');
  put(store, 6, 'a', 'v1');
  const results = await within(Promise.all(parked), 10_000);
  assert.ok(results.every((r) => r.index === 6 && r.meta.index === 6));
  assert.equal(blockingDeadlines.size, 0, 'answered queries leave the wheel');
  assert.equal(store.watches.size, 0, 'and the watch registry');
});

test('a parked query with nothing written answers at its deadline with the current data', async () => {
  const store = new StateStore();
  put(store, 5, 'a', 'v0');
  const t0 = performance.now();
  const r = blockingQuery(ctxFor('/v1/kv/a?index=5&wait=100ms'), fakeServer(store), limits, (ws) => {
    ws?.key('a');
    return { index: 5, value: 'same' };
  });
  const out = await within(Promise.resolve(r), 10_000);
  assert.equal(out.index, 5);
  assert.ok(performance.now() - t0 >= 100, 'not before the wait');
  assert.equal(blockingDeadlines.size, 0);
  assert.equal(store.watches.size, 0);
});

test('a client that goes away stops its parked query (it leaves the wheel and the watches)', async () => {
  const store = new StateStore();
  put(store, 5, 'a', 'v0');
  const ctx = ctxFor('/v1/kv/a?index=5&wait=60s');
  const r = blockingQuery(ctx, fakeServer(store), limits, (ws) => {
    ws?.key('a');
    return { index: 5, value: 'same' };
  });
  assert.equal(blockingDeadlines.size, 1);
  ctx.markClosed();
  await within(Promise.resolve(r), 10_000);
  assert.equal(blockingDeadlines.size, 0);
  assert.equal(store.watches.size, 0);
});

test('every query woken by one write gets the same serialized answer (one per key and index)', async () => {
  const store = new StateStore();
  put(store, 5, 'k', 'v0');
  const deps = { requireServer: () => fakeServer(store), limits } as unknown as ApiDeps;
  const get = (url: string): Promise<Reply> => {
    const ctx = ctxFor(url);
    ctx.tail = 'k';
    return Promise.resolve(kvGet(ctx, deps));
  };
  const woken = [get('/v1/kv/k?index=5'), get('/v1/kv/k?index=5')];
  put(store, 6, 'k', 'v1');
  const [a, b] = await within(Promise.all(woken), 10_000);
  assert.ok(a?.raw instanceof Buffer);
  assert.equal(a?.raw, b?.raw, 'the same bytes, not two copies');
  assert.match(String(a?.raw), /"ModifyIndex":6/);
  const later = await get('/v1/kv/k');
  assert.equal(later.raw, a?.raw, 'a plain read of the same version shares them too');
  put(store, 7, 'k', 'v2');
  const fresh = await get('/v1/kv/k');
  assert.notEqual(fresh.raw, a?.raw);
  assert.match(String(fresh.raw), /"ModifyIndex":7/);
});

test('a woken query reports ACL filtering only from the run that answers', async () => {
  const store = new StateStore();
  put(store, 5, 'a', 'v0');
  const ctx = ctxFor('/v1/kv/?recurse&index=5&wait=60s');
  ctx.acl = new RequestAcl(ALLOW_ALL, 'a1', true);
  let runs = 0;
  const r = blockingQuery(ctx, fakeServer(store), limits, (ws) => {
    ws?.prefix('');
    runs++;
    // The first (parked) run drops something; the answering run drops nothing.
    ctx.acl.filter([1, 2], () => runs > 1);
    return { index: kvsGet(store, 'a').index, value: runs };
  });
  assert.equal(ctx.acl.filtered, true);
  put(store, 6, 'a', 'v1');
  const out = await within(Promise.resolve(r), 10_000);
  assert.equal(out.value, 2);
  assert.equal(ctx.acl.filtered, false);
});

function fakeClock(): WheelClock & { t: number; fn: (() => void) | undefined; armed: number } {
  const c = {
    t: 0,
    fn: undefined as (() => void) | undefined,
    armed: 0,
    now: () => c.t,
    every: (fn: () => void) => {
      c.fn = fn;
      c.armed++;
      return {};
    },
    cancel: () => {
      c.fn = undefined;
    },
  };
  return c;
}

const fire = (c: { fn: (() => void) | undefined }): void => c.fn?.();
const entry = (deadlineMs: number, log: number[]): Expirable => ({ deadlineMs, wheelSlot: -1, expire: () => log.push(deadlineMs) });

test('the wheel expires each deadline once, on time, across revolutions, and stops when empty', () => {
  const clock = fakeClock();
  const wheel = new DeadlineWheel(50, clock);
  const log: number[] = [];
  const far = 50 * 1024 * 3 + 10; // three revolutions of the ring later
  for (const d of [120, 120, far, 75]) wheel.add(entry(d, log));
  const gone = entry(200, log);
  wheel.add(gone);
  wheel.remove(gone);
  assert.equal(clock.armed, 1, 'one timer for all');
  assert.equal(wheel.size, 4);
  const tick = (to: number) => {
    while (clock.t < to) {
      clock.t += 50;
      clock.fn?.();
    }
  };
  tick(100);
  assert.deepEqual(log, [75]);
  tick(150);
  assert.deepEqual(log, [75, 120, 120]);
  tick(far - 50);
  assert.deepEqual(log, [75, 120, 120], 'not on an earlier revolution');
  tick(far + 50);
  assert.deepEqual(log, [75, 120, 120, far]);
  assert.equal(wheel.size, 0);
  assert.equal(clock.fn, undefined, 'the timer stops when nothing is parked');
  // A deadline already passed when added expires at the next tick, not a revolution later.
  wheel.add(entry(clock.t - 1000, log));
  clock.t += 50;
  fire(clock);
  assert.equal(log.length, 5);
  // A late timer (a busy event loop) catches up on every slot it missed.
  wheel.add(entry(clock.t + 100, log));
  wheel.add(entry(clock.t + 400, log));
  clock.t += 1000;
  fire(clock);
  assert.equal(log.length, 7);
});
