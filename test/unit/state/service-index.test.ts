// Per-service indexes and watches: a change to one service's instances, checks or nodes moves
// only that service's index and wakes only its watchers (Consul's "service.<name>" index), so a
// blocking query on /v1/health/service/db does not wake for a check of web.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deregisterTxn } from '../../../src/core/state/catalog.js';
import { Catalog } from '../dns/fixtures.js';

function watched(cat: Catalog, name: string): { fired: () => boolean } {
  let fired = false;
  cat.store.watches.watchService(name, () => (fired = true));
  return { fired: () => fired };
}

test('a service check moves only its service; a node check or node change moves every service on the node', () => {
  const cat = new Catalog()
    .register({ Node: 'n1', Address: '10.0.0.1' }, { Service: 'web', Port: 80 })
    .register({ Node: 'n2', Address: '10.0.0.2' }, { Service: 'db', Port: 5432 })
    .register({ Node: 'n2', Address: '10.0.0.2' }, { Service: 'cache', ID: 'cache', Port: 6379 });
  const store = cat.store;
  const db0 = store.serviceIndex('db');
  const web0 = store.serviceIndex('web');
  assert.ok(db0 > 0 && web0 > 0);

  let web = watched(cat, 'web');
  let db = watched(cat, 'db');
  cat.check('n1', 'web-check', 'critical', 'web');
  assert.ok(store.serviceIndex('web') > web0);
  assert.equal(store.serviceIndex('db'), db0, 'db did not change');
  assert.deepEqual([web.fired(), db.fired()], [true, false]);

  db = watched(cat, 'db');
  const cache = watched(cat, 'cache');
  cat.check('n2', 'serfHealth', 'critical');
  assert.ok(store.serviceIndex('db') > db0, 'a node check is seen by every service on the node');
  assert.deepEqual([db.fired(), cache.fired()], [true, true]);

  web = watched(cat, 'web');
  const before = store.serviceIndex('web');
  cat.register({ Node: 'n1', Address: '10.9.9.9' });
  assert.ok(store.serviceIndex('web') > before, 'a node address change is seen by its services');
  assert.equal(web.fired(), true);
});

test('an unchanged re-registration moves nothing; a deregistration moves the service it removed', () => {
  const cat = new Catalog().register({ Node: 'n1', Address: '10.0.0.1' }, { Service: 'web', Port: 80 });
  const store = cat.store;
  const i0 = store.serviceIndex('web');
  cat.register({ Node: 'n1', Address: '10.0.0.1' }, { Service: 'web', Port: 80 });
  assert.equal(store.serviceIndex('web'), i0, 'anti-entropy re-syncs must not wake readers');

  const w = watched(cat, 'web');
  const txn = store.begin(store.latestIndex + 1);
  deregisterTxn(txn, { Node: 'n1', ServiceID: 'web', CheckID: '' } as never);
  store.commit(txn);
  assert.equal(store.serviceIndex('web'), txn.index);
  assert.equal(w.fired(), true);
});

test('after a restore every service reads at the restore index', () => {
  const cat = new Catalog().register({ Node: 'n1', Address: '10.0.0.1' }, { Service: 'web', Port: 80 });
  const view = cat.store.snapshotView();
  cat.store.restore(view.tables, view.indexes, 500);
  assert.equal(cat.store.serviceIndex('web'), 500);
  assert.equal(cat.store.serviceIndex('never-seen'), 500);
});
