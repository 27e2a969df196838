import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fsm } from '../../../src/core/fsm/fsm.js';
import { encodeCommand, type FsmCommand } from '../../../src/core/fsm/commands.js';
import { StateStore } from '../../../src/core/state/store.js';
import { caConfigGet, caRootsList, type CaRootInput } from '../../../src/core/state/connect-ca.js';
import { configEntryGet, configEntryList } from '../../../src/core/state/config-entries.js';
import { summarizeState } from '../../../src/core/snapshot/index.js';

const root = (id: string, active: boolean): CaRootInput => ({
  ID: id,
  Name: 'Consul CA Primary Cert',
  SerialNumber: 1,
  SigningKeyID: 'aa',
  ExternalTrustDomain: 'c1',
  NotBefore: '',
  NotAfter: '',
  RootCert: `cert-${id}`,
  IntermediateCerts: null,
  Active: active,
  RotatedOutAt: '',
  PrivateKeyType: 'ec',
  PrivateKeyBits: 256,
  SigningKey: `key-${id}`,
});
const config = (clusterId: string) => ({ ClusterID: clusterId, Provider: 'consul', Config: {}, State: null, ForceWithoutCrossSigning: false });
const apply = (fsm: Fsm, index: number, cmd: FsmCommand) => fsm.apply(index, encodeCommand(cmd));

test('the CA is initialized once: a second leader\'s initialize is refused, the cluster ID never changes', () => {
  const fsm = new Fsm(new StateStore());
  assert.deepEqual(apply(fsm, 5, { t: 'connect-ca', v: 1, mode: 'initialize', config: config('c1'), roots: [root('r1', true)] }), { t: 'bool', value: true });
  assert.deepEqual(apply(fsm, 6, { t: 'connect-ca', v: 1, mode: 'initialize', config: config('c2'), roots: [root('r2', true)] }), { t: 'bool', value: false });
  assert.equal(caConfigGet(fsm.store)?.ClusterID, 'c1');
  assert.deepEqual(caRootsList(fsm.store).map((r) => r.ID), ['r1']);
  // Rotation: CAS on the config's ModifyIndex; the old root stays, inactive, with its CreateIndex.
  assert.deepEqual(apply(fsm, 7, { t: 'connect-ca', v: 1, mode: 'set', config: config('ignored'), roots: [root('r1', false), root('r2', true)], casIndex: 4 }), { t: 'bool', value: false });
  assert.deepEqual(apply(fsm, 8, { t: 'connect-ca', v: 1, mode: 'set', config: config('ignored'), roots: [root('r1', false), root('r2', true)], casIndex: 5 }), { t: 'bool', value: true });
  assert.equal(caConfigGet(fsm.store)?.ClusterID, 'c1');
  assert.deepEqual(caRootsList(fsm.store).map((r) => [r.ID, r.Active, r.CreateIndex, r.ModifyIndex]), [['r1', false, 5, 8], ['r2', true, 8, 8]]);
});

test('config entries: upsert keeps CreateIndex, CAS 0 only creates, delete with CAS', () => {
  const fsm = new Fsm(new StateStore());
  const entry = { Kind: 'service-defaults', Name: 'web', Protocol: 'http' };
  assert.deepEqual(apply(fsm, 3, { t: 'config-entry', v: 1, op: 'set', entry, casIndex: 0 }), { t: 'bool', value: true });
  assert.deepEqual(apply(fsm, 4, { t: 'config-entry', v: 1, op: 'set', entry, casIndex: 0 }), { t: 'bool', value: false });
  assert.deepEqual(apply(fsm, 5, { t: 'config-entry', v: 1, op: 'set', entry: { ...entry, Protocol: 'tcp' } }), { t: 'bool', value: true });
  const got = configEntryGet(fsm.store, 'service-defaults', 'web');
  assert.deepEqual([got?.Protocol, got?.CreateIndex, got?.ModifyIndex], ['tcp', 3, 5]);
  assert.deepEqual(apply(fsm, 6, { t: 'config-entry', v: 1, op: 'delete', kind: 'service-defaults', name: 'web', casIndex: 3 }), { t: 'bool', value: false });
  assert.deepEqual(apply(fsm, 7, { t: 'config-entry', v: 1, op: 'delete', kind: 'service-defaults', name: 'web', casIndex: 5 }), { t: 'bool', value: true });
  assert.equal(configEntryList(fsm.store, '').length, 0);
  assert.equal(fsm.store.maxIndex('config-entries'), 7);
});

test('CA and config entries survive a snapshot and restore', () => {
  const a = new Fsm(new StateStore());
  apply(a, 5, { t: 'connect-ca', v: 1, mode: 'initialize', config: config('c1'), roots: [root('r1', true)] });
  apply(a, 6, { t: 'config-entry', v: 1, op: 'set', entry: { Kind: 'service-intentions', Name: 'db', Sources: [{ Name: 'web', Action: 'deny', Precedence: 9, Type: 'consul' }] } });
  const snap = a.snapshot();
  const b = new Fsm(new StateStore());
  b.restore(snap.data, snap.index);
  assert.deepEqual(caConfigGet(b.store), caConfigGet(a.store));
  assert.deepEqual(caRootsList(b.store), caRootsList(a.store));
  assert.deepEqual(configEntryGet(b.store, 'service-intentions', 'db'), configEntryGet(a.store, 'service-intentions', 'db'));
  assert.equal(b.store.maxIndex('connect-ca-roots'), 5);
  const types = summarizeState(snap.data).map((s) => s.type);
  assert.ok(types.includes('ConnectCA') && types.includes('ConfigEntry') && types.includes('ConnectCAConfig'), types.join(','));
});

test('an upsert without CAS still applies after the command went through msgpack (absent casIndex decodes as null)', () => {
  const fsm = new Fsm(new StateStore());
  const cmd = encodeCommand({ t: 'config-entry', v: 1, op: 'set', entry: { Kind: 'service-defaults', Name: 'web' }, casIndex: undefined });
  assert.deepEqual(fsm.apply(3, cmd), { t: 'bool', value: true });
  assert.deepEqual(fsm.apply(4, cmd), { t: 'bool', value: true });
  assert.equal(configEntryGet(fsm.store, 'service-defaults', 'web')?.ModifyIndex, 4);
});
