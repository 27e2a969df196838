// Leader-side session timers and lock-delays, driven by a manual clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionTimers } from '../../../src/core/server/session-ttl.js';
import { LockDelays } from '../../../src/core/server/lock-delay.js';
import type { ServerClock } from '../../../src/core/server/timers.js';

class ManualClock implements ServerClock {
  now = 0;
  private timers: { at: number; fn: () => void; live: boolean }[] = [];
  nowMs(): number {
    return this.now;
  }
  after(ms: number, fn: () => void) {
    const t = { at: this.now + ms, fn, live: true };
    this.timers.push(t);
    return { cancel: () => void (t.live = false) };
  }
  advance(ms: number): void {
    this.now += ms;
    for (const t of this.timers.filter((x) => x.live && x.at <= this.now)) {
      t.live = false;
      t.fn();
    }
  }
}

test('a TTL session expires after TTL x 2 without renewal; renew restarts, clear stops', async () => {
  const clock = new ManualClock();
  const expired: string[] = [];
  const timers = new SessionTimers(async (id) => void expired.push(id), clock);
  timers.initialize([
    { ID: 'a', TTL: '10s' } as never,
    { ID: 'none', TTL: '' } as never,
  ]);
  assert.equal(timers.size, 1, 'sessions without TTL get no timer');
  clock.advance(15_000);
  timers.reset({ ID: 'a', TTL: '10s' });
  clock.advance(15_000);
  assert.deepEqual(expired, [], 'renewed at 15s: alive at 30s');
  clock.advance(5_001);
  await Promise.resolve();
  assert.deepEqual(expired, ['a']);
  timers.reset({ ID: 'b', TTL: '10s' });
  timers.clear('b');
  timers.reset({ ID: 'c', TTL: '10s' });
  timers.clearAll();
  clock.advance(60_000);
  assert.deepEqual(expired, ['a']);
});

test('a failed invalidation is retried with backoff', async () => {
  const clock = new ManualClock();
  let calls = 0;
  const timers = new SessionTimers(async () => {
    calls++;
    if (calls < 2) throw new Error('no leader');
  }, clock);
  timers.reset({ ID: 'a', TTL: '10s' });
  clock.advance(20_000);
  await new Promise((r) => setImmediate(r));
  assert.equal(calls, 1);
  clock.advance(10_000);
  await new Promise((r) => setImmediate(r));
  assert.equal(calls, 2);
});

test('lock-delay refuses a key until its delay passed', () => {
  const clock = new ManualClock();
  const d = new LockDelays(clock);
  d.record([{ key: 'k', delayNs: 15e9 }]);
  assert.equal(d.isDelayed('k'), true);
  assert.equal(d.isDelayed('other'), false);
  clock.advance(15_001);
  assert.equal(d.isDelayed('k'), false);
});
