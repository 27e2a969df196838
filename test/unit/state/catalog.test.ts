import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StateStore } from '../../../src/core/state/store.js';
import { deregisterTxn, ensureRegistrationTxn, listServices, serviceInstances } from '../../../src/core/state/catalog.js';
import type { RegisterRequest } from '../../../src/core/structs/catalog.js';
import { Fsm } from '../../../src/core/fsm/fsm.js';

function reg(node: string, id: string, name: string, tags: string[] = []): RegisterRequest {
  return {
    ID: '',
    Node: node,
    Address: '10.0.0.1',
    Datacenter: 'dc1',
    TaggedAddresses: {},
    NodeMeta: {},
    Service: { Kind: '', ID: id, Service: name, Tags: tags, Address: '', TaggedAddresses: {}, Meta: {}, Port: 80, Weights: { Passing: 1, Warning: 1 }, EnableTagOverride: false },
    Checks: [],
    SkipNodeUpdate: false,
  };
}

function apply(s: StateStore, index: number, fn: (t: ReturnType<StateStore['begin']>) => void): void {
  const t = s.begin(index);
  fn(t);
  s.commit(t);
}

test('service instances by name follow renames and deregistrations; tags filter case-insensitively', () => {
  const s = new StateStore();
  apply(s, 1, (t) => ensureRegistrationTxn(t, reg('n1', 'web1', 'web', ['Rails'])));
  apply(s, 2, (t) => ensureRegistrationTxn(t, reg('n2', 'web2', 'web')));
  apply(s, 3, (t) => ensureRegistrationTxn(t, reg('n2', 'db1', 'db')));
  assert.deepEqual(serviceInstances(s, 'web').map((i) => i.service.ID), ['web1', 'web2']);
  assert.deepEqual(serviceInstances(s, 'web', ['rails']).map((i) => i.node.Node), ['n1']);
  apply(s, 4, (t) => ensureRegistrationTxn(t, reg('n2', 'web2', 'api')));
  assert.deepEqual(serviceInstances(s, 'web').map((i) => i.service.ID), ['web1']);
  assert.deepEqual(serviceInstances(s, 'api').map((i) => i.service.ID), ['web2']);
  apply(s, 5, (t) => deregisterTxn(t, { Node: 'n1', ServiceID: '', CheckID: '' }));
  assert.deepEqual(serviceInstances(s, 'web'), []);
  assert.deepEqual([...listServices(s).keys()], ['api', 'db']);
  // the index survives a snapshot round trip
  const a = new Fsm(s);
  const b = new Fsm(new StateStore());
  b.restore(a.snapshot().data, 5);
  assert.deepEqual(serviceInstances(b.store, 'api').map((i) => i.service.ID), ['web2']);
});

test('an unchanged re-registration keeps ModifyIndex', () => {
  const s = new StateStore();
  apply(s, 1, (t) => ensureRegistrationTxn(t, reg('n1', 'web1', 'web')));
  apply(s, 2, (t) => ensureRegistrationTxn(t, reg('n1', 'web1', 'web')));
  assert.equal(serviceInstances(s, 'web')[0]?.service.ModifyIndex, 1);
  assert.equal(s.maxIndex('services'), 1);
});
