import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LeafCache } from '../../../src/core/connect/leaf-cache.js';
import type { IssuedCert } from '../../../src/core/connect/ca-provider.js';

const HOUR = 3600_000;

function fakeSigner(now: () => number, roots: { activeRootId: string }) {
  let signed = 0;
  return {
    get signed() {
      return signed;
    },
    signer: {
      roots: async () => ({ trustDomain: 'td.consul', activeRootId: roots.activeRootId }),
      sign: async (_csr: string): Promise<IssuedCert> => {
        signed += 1;
        return {
          SerialNumber: String(signed),
          CertPEM: `cert-${signed}`,
          Service: 'web',
          ServiceURI: 'spiffe://td.consul/ns/default/dc/dc1/svc/web',
          ValidAfter: new Date(now()).toISOString(),
          ValidBefore: new Date(now() + 72 * HOUR).toISOString(),
        };
      },
    },
  };
}

test('a leaf is cached, renewed between 60% and 90% of its lifetime, and at once on a new root', async () => {
  let t = Date.parse('2026-01-01T00:00:00Z');
  const roots = { activeRootId: 'r1' };
  const s = fakeSigner(() => t, roots);
  for (const r of [0, 0.5, 0.999]) {
    const cache = new LeafCache('dc1', s.signer, () => t, () => r);
    const first = await cache.get('web');
    assert.equal((await cache.get('web')).CertPEM, first.CertPEM, 'cached');
    const renewAt = cache.renewAt('web') as number;
    const frac = (renewAt - t) / (72 * HOUR);
    assert.ok(frac >= 0.6 && frac <= 0.9, `renewal at ${frac} of the lifetime`);
    const saved = t;
    t = renewAt - 1;
    assert.equal((await cache.get('web')).CertPEM, first.CertPEM, 'not yet due');
    t = renewAt;
    const renewed = await cache.get('web');
    assert.notEqual(renewed.CertPEM, first.CertPEM, 'renewed when due');
    assert.ok(renewed.ModifyIndex > first.ModifyIndex);
    roots.activeRootId = `${roots.activeRootId}x`;
    assert.notEqual((await cache.get('web')).CertPEM, renewed.CertPEM, 'renewed on a root change');
    t = saved;
  }
});

test('a parked reader wakes when the leaf changes', async () => {
  let t = Date.parse('2026-01-01T00:00:00Z');
  const roots = { activeRootId: 'r1' };
  const s = fakeSigner(() => t, roots);
  const cache = new LeafCache('dc1', s.signer, () => t, () => 0.5);
  await cache.get('web');
  const started = Date.now();
  const woke = cache.waitChange('web', 10_000, () => {});
  roots.activeRootId = 'r2';
  await cache.get('web');
  await woke;
  assert.ok(Date.now() - started < 5_000, 'woken by the change, not by the timeout');
});
