// The DNS catalog view: what a write elsewhere in the catalog leaves reusable, and what it must not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CatalogView } from '../../../src/core/dns/catalog-view.js';
import { deregisterTxn } from '../../../src/core/state/catalog.js';
import { Catalog } from './fixtures.js';

function deregister(cat: Catalog, index: number, node: string, serviceId: string): void {
  const txn = cat.store.begin(index);
  deregisterTxn(txn, { Node: node, ServiceID: serviceId, CheckID: '' });
  cat.store.commit(txn);
}

const nodesOf = (list: readonly { node: { Node: string } }[] | undefined): string[] => (list ?? []).map((i) => i.node.Node);

function catalog(): Catalog {
  return new Catalog()
    .register({ Node: 'n1', Address: '10.0.0.1' }, { ID: 'web', Service: 'web' })
    .register({ Node: 'n2', Address: '10.0.0.2' }, { ID: 'web', Service: 'web' })
    .register({ Node: 'n3', Address: '10.0.0.3' }, { ID: 'api', Service: 'api' })
    .check('n3', 'api-alive', 'passing', 'api');
}

test('a write to another service keeps a service instance list: no scan of the whole catalog per write', () => {
  const cat = catalog();
  const before = CatalogView.current(undefined, cat.store);
  const web = before.instances('web');
  assert.deepEqual(nodesOf(web), ['n1', 'n2']);
  cat.check('n3', 'api-alive', 'warning', 'api');
  const after = CatalogView.current(before, cat.store);
  assert.notEqual(after, before, 'a new view for the new catalog index');
  assert.equal(after.instances('web'), web, 'the same list, reused');
  assert.deepEqual(after.instances('api')?.map((i) => i.status), ['warning'], 'the written service is rebuilt');
});

test("a service's own checks, its node's checks and its node record are seen at once", () => {
  const cat = catalog();
  let view = CatalogView.current(undefined, cat.store);
  assert.deepEqual(view.healthy('web', undefined, false).map((i) => i.node.Node), ['n1', 'n2']);
  cat.check('n1', 'web-alive', 'critical', 'web');
  view = CatalogView.current(view, cat.store);
  assert.deepEqual(nodesOf(view.healthy('web', undefined, false)), ['n2']);
  cat.check('n2', 'mem', 'warning');
  view = CatalogView.current(view, cat.store);
  assert.deepEqual(view.instances('web')?.map((i) => i.status), ['critical', 'warning']);
  assert.deepEqual(nodesOf(view.healthy('web', undefined, true)), [], 'only passing');
  cat.register({ Node: 'n2', Address: '10.9.9.9' });
  view = CatalogView.current(view, cat.store);
  assert.equal(view.instances('web')?.[1]?.node.Address, '10.9.9.9');
  assert.equal(view.node('n2')?.Address, '10.9.9.9');
});

test('names that differ only in case are one DNS service, in the catalog order of a full scan', () => {
  const cat = new Catalog()
    .register({ Node: 'n0', Address: '10.0.0.1' }, { ID: 'a', Service: 'Web' })
    .register({ Node: 'n2', Address: '10.0.0.2' }, { ID: 'b', Service: 'web' })
    .register({ Node: 'n1', Address: '10.0.0.3' }, { ID: 'c', Service: 'WEB' });
  let view = CatalogView.current(undefined, cat.store);
  assert.deepEqual(nodesOf(view.instances('web')), ['n0', 'n1', 'n2']);
  cat.register({ Node: 'n3', Address: '10.0.0.4' }, { ID: 'd', Service: 'wEb' });
  view = CatalogView.current(view, cat.store);
  assert.deepEqual(nodesOf(view.instances('web')), ['n0', 'n1', 'n2', 'n3'], 'a new spelling joins');
  deregister(cat, 100, 'n0', 'a');
  deregister(cat, 101, 'n1', 'c');
  view = CatalogView.current(view, cat.store);
  assert.deepEqual(nodesOf(view.instances('web')), ['n2', 'n3']);
  deregister(cat, 102, 'n2', 'b');
  deregister(cat, 103, 'n3', 'd');
  view = CatalogView.current(view, cat.store);
  assert.equal(view.instances('web'), undefined, 'an unknown name again');
});

test('Connect lookups still find proxies and native services by destination', () => {
  const cat = catalog()
    .register({ Node: 'n4', Address: '10.0.0.4' }, { ID: 'web-proxy', Service: 'web-sidecar-proxy', Kind: 'connect-proxy', Proxy: { DestinationServiceName: 'web', DestinationServiceID: 'web', LocalServiceAddress: '', LocalServicePort: 0, Mode: '', Upstreams: [], MeshGateway: {}, Expose: {} } })
    .register({ Node: 'n5', Address: '10.0.0.5' }, { ID: 'db', Service: 'db', Connect: { Native: true } });
  const view = CatalogView.current(undefined, cat.store);
  assert.deepEqual(nodesOf(view.instances('connect\x00web')), ['n4']);
  assert.deepEqual(nodesOf(view.instances('connect\x00db')), ['n5']);
  assert.deepEqual(nodesOf(view.instances('web-sidecar-proxy')), ['n4']);
});
