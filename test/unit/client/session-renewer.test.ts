// The lock session's renewer says when no renewal went through for a whole TTL, so `consul lock`
// stops its child. Found by the netns lock test: a holder whose server was cut off from the
// leader kept running its child while the majority invalidated its session and, after the
// lock-delay, gave the lock to another holder.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionRenewer, type SessionApi, type SessionEntry } from '../../../src/core/client/session.js';

function fakeApi(renew: () => Promise<SessionEntry | null>): SessionApi {
  return { renew, destroy: async () => true } as unknown as SessionApi;
}

const entry = { ID: 's', TTL: '0.3s' } as unknown as SessionEntry;

test('renewals that keep failing expire the session after one TTL', async () => {
  const r = new SessionRenewer(fakeApi(() => Promise.reject(new Error('Unexpected response code: 500 (No cluster leader)'))), 's', 300);
  const t0 = Date.now();
  await new Promise<void>((resolve) => r.expired.addEventListener('abort', () => resolve(), { once: true }));
  const took = Date.now() - t0;
  assert.ok(took >= 250 && took < 1_000, `expired after ${took} ms`);
  await r.stop();
});

test('renewals that go through keep the session alive; stop() disarms the expiry', async () => {
  let n = 0;
  const r = new SessionRenewer(fakeApi(async () => (n++, entry)), 's', 300);
  await new Promise((res) => setTimeout(res, 1_000));
  assert.equal(r.expired.aborted, false);
  assert.ok(n >= 3, `${n} renewals`);
  await r.stop();
  await new Promise((res) => setTimeout(res, 500));
  assert.equal(r.expired.aborted, false);
});
