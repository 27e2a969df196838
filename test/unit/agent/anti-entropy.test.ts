import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AntiEntropy, type CatalogPort, type NodeInfo } from '../../../src/core/agent/anti-entropy.js';
import { decodeCheck, decodeService } from '../../../src/core/agent/definitions.js';
import { LocalAgent } from '../../../src/core/agent/local-agent.js';
import { enableNodeMaintenance, enableServiceMaintenance } from '../../../src/core/agent/maintenance.js';
import { ManualTimers } from '../../../src/core/checks/index.js';
import type { FsmCommand } from '../../../src/core/fsm/commands.js';
import { Fsm } from '../../../src/core/fsm/fsm.js';
import { getNode, nodeChecks, nodeServices } from '../../../src/core/state/catalog.js';
import { StateStore } from '../../../src/core/state/store.js';
import { Logger } from '../../../src/core/support/logger.js';

const NODE = 'n1';
const quiet = new Logger({ write: () => {} }, 'error');

/** A fake server: the real FSM and state store, applied in process with increasing indexes. */
class FakeCatalog implements CatalogPort {
  readonly store = new StateStore();
  private readonly fsm = new Fsm(this.store);
  private index = 0;
  readonly writes: FsmCommand[] = [];
  failing = false;

  read(node: string) {
    return { node: getNode(this.store, node), services: nodeServices(this.store, node), checks: nodeChecks(this.store, node) };
  }

  async apply(cmd: FsmCommand) {
    if (this.failing) throw new Error('No cluster leader');
    this.writes.push(cmd);
    return this.fsm.applyCommand(++this.index, cmd);
  }

  serviceIds(): string[] {
    return nodeServices(this.store, NODE).map((s) => s.ID).sort();
  }

  checkIds(): string[] {
    return nodeChecks(this.store, NODE).map((c) => c.CheckID).sort();
  }
}

const nodeInfo = (): NodeInfo => ({ ID: 'id-1', Node: NODE, Address: '127.0.0.1', Datacenter: 'dc1', TaggedAddresses: { lan: '127.0.0.1' }, NodeMeta: {} });

function setup(opts: { scripts?: boolean } = {}) {
  const timers = new ManualTimers(() => 0.5);
  const local = new LocalAgent({ nodeName: NODE, dataDir: '', enableScriptChecks: opts.scripts ?? false, enableLocalScriptChecks: false, outputMaxBytes: 4096, timers, logger: quiet });
  const catalog = new FakeCatalog();
  const ae = new AntiEntropy({ state: local.state, catalog: () => catalog, nodeInfo, timers, isServer: true, logger: quiet });
  return { timers, local, catalog, ae };
}

test('a full sync registers local services and checks, and deletes what the agent does not have', async () => {
  const { local, catalog, ae } = setup();
  await local.start({ services: [decodeService({ name: 'web', port: 80, check: { ttl: '10s' } })], checks: [decodeCheck({ id: 'mem', name: 'mem', ttl: '30s' })] });
  // Entries of this node the agent does not know: removed, except the leader's own.
  await catalog.apply({ t: 'register', v: 1, req: { ...nodeInfo(), Service: svc('stale'), Checks: [check('orphan'), check('serfHealth')], SkipNodeUpdate: false } });
  await catalog.apply({ t: 'register', v: 1, req: { ...nodeInfo(), Service: svc('consul'), Checks: [], SkipNodeUpdate: false } });
  await ae.updateSyncState(catalog);
  await ae.syncChanges(catalog);
  assert.deepEqual(catalog.serviceIds(), ['consul', 'web']);
  assert.deepEqual(catalog.checkIds(), ['mem', 'serfHealth', 'service:web']);
  // A second full sync of an unchanged state writes nothing.
  const n = catalog.writes.length;
  await ae.updateSyncState(catalog);
  await ae.syncChanges(catalog);
  assert.equal(catalog.writes.length, n);
  await local.stop();
});

test('a service removed behind the agent’s back comes back at the next full sync', async () => {
  const { local, catalog, ae } = setup();
  await local.start({ services: [decodeService({ name: 'web', port: 80 })], checks: [] });
  await ae.updateSyncState(catalog);
  await ae.syncChanges(catalog);
  await catalog.apply({ t: 'deregister', v: 1, req: { Node: NODE, ServiceID: 'web', CheckID: '' } });
  assert.deepEqual(catalog.serviceIds(), []);
  await ae.updateSyncState(catalog);
  await ae.syncChanges(catalog);
  assert.deepEqual(catalog.serviceIds(), ['web']);
  await local.stop();
});

test('status changes sync at once; output-only changes wait for check_update_interval', async () => {
  const { local, catalog, ae, timers } = setup();
  await local.start({ services: [], checks: [decodeCheck({ id: 't', name: 't', ttl: '1h' })] });
  ae.start();
  await syncNow(ae, timers);
  local.updateTtl('t', 'passing', 'one');
  await syncNow(ae, timers);
  assert.equal(catalogCheck(catalog, 't')?.Output, 'one');
  local.updateTtl('t', 'passing', 'two');
  await syncNow(ae, timers);
  assert.equal(catalogCheck(catalog, 't')?.Output, 'one', 'deferred');
  assert.equal(local.state.check('t')?.check.Output, 'two', 'the agent shows it at once');
  timers.advance(5 * 60_000); // d/2 + 0.5*d with the test Rng
  await syncNow(ae, timers);
  assert.equal(catalogCheck(catalog, 't')?.Output, 'two');
  ae.stop();
  await local.stop();
});

test('service and check IDs may contain slashes; deregistration removes the service with its checks', async () => {
  const { local, catalog, ae } = setup();
  await local.start({ services: [], checks: [] });
  await local.addService(decodeService({ ID: 'a/b', Name: 'ab', Checks: [{ TTL: '10s' }, { TTL: '10s' }] }), 'remote', { persist: false });
  await ae.updateSyncState(catalog);
  await ae.syncChanges(catalog);
  assert.deepEqual(catalog.checkIds(), ['service:a/b:1', 'service:a/b:2']);
  await local.removeService('a/b');
  await ae.syncChanges(catalog);
  assert.deepEqual(catalog.serviceIds(), []);
  assert.deepEqual(catalog.checkIds(), []);
  await assert.rejects(local.removeService('a/b'), /Unknown service ID "a\/b"/);
  await local.stop();
});

test('script checks need enable_script_checks over the API', async () => {
  const { local } = setup();
  await local.start({ services: [], checks: [] });
  await assert.rejects(
    local.addCheck(decodeCheck({ Name: 'x', Args: ['true'], Interval: '1s' }), 'remote', { persist: false }),
    /Scripts are disabled on this agent/,
  );
  await assert.rejects(
    local.start({ services: [], checks: [decodeCheck({ name: 'x', args: ['true'], interval: '1s' })] }),
    /Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true/,
  );
  await local.stop();
});

test('maintenance: critical checks with default notes', async () => {
  const { local } = setup();
  await local.start({ services: [decodeService({ name: 'web' })], checks: [] });
  await enableNodeMaintenance(local, '');
  await enableServiceMaintenance(local, 'web', 'deploying');
  const node = local.state.check('_node_maintenance')?.check;
  assert.equal(node?.Status, 'critical');
  assert.equal(node?.Name, 'Node Maintenance Mode');
  assert.match(node?.Notes ?? '', /^Maintenance mode is enabled for this node, but no reason was provided/);
  assert.equal(local.state.check('_service_maintenance:web')?.check.Notes, 'deploying');
  await assert.rejects(enableServiceMaintenance(local, 'nosuch', ''), /No service registered with ID "nosuch"/);
  await local.stop();
});

test('deregister_critical_service_after reaps a service that stays critical', async () => {
  const { local, timers } = setup();
  await local.start({ services: [decodeService({ name: 'web', check: { ttl: '1s', deregister_critical_service_after: '1m' } })], checks: [] });
  timers.advance(60_000);
  await local.reap();
  assert.ok(local.state.service('web'), 'critical for exactly 1m: kept');
  timers.advance(1);
  await local.reap();
  assert.equal(local.state.service('web'), undefined);
  await local.stop();
});

test('reload replaces config services and keeps API-registered ones', async () => {
  const { local } = setup();
  await local.start({ services: [decodeService({ name: 'a' }), decodeService({ name: 'b' })], checks: [] });
  await local.addService(decodeService({ Name: 'api' }), 'remote', { persist: false });
  await local.loadConfig({ services: [decodeService({ name: 'b', port: 2 }), decodeService({ name: 'c' })], checks: [] });
  assert.deepEqual(local.state.services().map((s) => s.service.ID).sort(), ['api', 'b', 'c']);
  assert.equal(local.state.service('b')?.service.Port, 2);
  await local.stop();
});

test('a failed sync is retried later', async () => {
  const { local, catalog, ae, timers } = setup();
  await local.start({ services: [decodeService({ name: 'web' })], checks: [] });
  catalog.failing = true;
  ae.start();
  timers.advance(0);
  await ae.settled();
  assert.deepEqual(catalog.serviceIds(), []);
  catalog.failing = false;
  timers.advance(15_000);
  await ae.settled();
  assert.deepEqual(catalog.serviceIds(), ['web']);
  ae.stop();
  await local.stop();
});

test('a node deregistered behind the agent is re-synced within the server-up interval, not at the next periodic sync', async () => {
  const { local, catalog, ae, timers } = setup();
  await local.start({ services: [decodeService({ name: 'web' })], checks: [] });
  ae.start();
  timers.advance(0);
  await ae.settled();
  assert.deepEqual(catalog.serviceIds(), ['web']);
  // The leader deregistered the node (force-leave while it was unreachable).
  await catalog.apply({ t: 'deregister', v: 1, req: { Node: NODE, ServiceID: '', CheckID: '' } });
  const writes = catalog.writes.length;
  ae.triggerFullStaggered();
  ae.triggerFullStaggered(); // joins the pending one
  timers.advance(1_499); // the test Rng gives 0.5 of Consul's 3 s window
  assert.equal(catalog.writes.length, writes, 'not before its stagger');
  timers.advance(1);
  await ae.settled();
  assert.deepEqual(catalog.serviceIds(), ['web']);
  assert.ok(getNode(catalog.store, NODE));
  assert.equal(catalog.writes.length, writes + 1, 'one full sync for both asks');
  ae.stop();
  await local.stop();
});

/** Run a sync to completion under the manual clock (its kicks are zero-delay timers). */
async function syncNow(ae: AntiEntropy, timers: ManualTimers): Promise<void> {
  let done = false;
  const p = ae.syncNow().then(() => (done = true));
  while (!done) {
    timers.advance(0);
    await new Promise((r) => setImmediate(r));
  }
  await p;
}

function svc(id: string) {
  return { Kind: '', ID: id, Service: id, Tags: [], Address: '', TaggedAddresses: {}, Meta: {}, Port: 0, Weights: { Passing: 1, Warning: 1 }, EnableTagOverride: false };
}

function check(id: string) {
  return { Node: NODE, CheckID: id, Name: id, Status: 'passing' as const, Notes: '', Output: '', ServiceID: '', ServiceName: '', ServiceTags: [], Type: '', Interval: '', Timeout: '', ExposedPort: 0, Definition: {} };
}

function catalogCheck(c: FakeCatalog, id: string) {
  return nodeChecks(c.store, NODE).find((x) => x.CheckID === id);
}
