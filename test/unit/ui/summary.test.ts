// The /v1/internal/ui/* shapes at their pure seam (src/core/ui/summary.ts), against Consul's
// agent/ui_endpoint.go summarizeServices / prepSummaryOutput rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StateStore } from '../../../src/core/state/store.js';
import { ensureRegistrationTxn } from '../../../src/core/state/catalog.js';
import type { HealthStatus, RegisterRequest } from '../../../src/core/structs/catalog.js';
import { nodeDump, summarizeServices } from '../../../src/core/ui/summary.js';

interface Reg {
  node: string;
  id: string;
  name: string;
  tags?: string[];
  meta?: Record<string, string>;
  checks?: [string, HealthStatus, string?][];
}

function reg(r: Reg): RegisterRequest {
  return {
    ID: '',
    Node: r.node,
    Address: '10.0.0.1',
    Datacenter: 'dc1',
    TaggedAddresses: {},
    NodeMeta: {},
    Service: { Kind: '', ID: r.id, Service: r.name, Tags: r.tags ?? [], Address: '', TaggedAddresses: {}, Meta: r.meta ?? {}, Port: 80, Weights: { Passing: 1, Warning: 1 }, EnableTagOverride: false },
    Checks: (r.checks ?? []).map(([id, status, serviceId]) => ({
      Node: r.node, CheckID: id, Name: id, Status: status, Notes: '', Output: '', ServiceID: serviceId ?? '', ServiceName: serviceId ? r.name : '',
      ServiceTags: [], Type: '', Interval: '', Timeout: '', ExposedPort: 0, Definition: {},
    })),
    SkipNodeUpdate: false,
  };
}

function store(...regs: Reg[]): StateStore {
  const s = new StateStore();
  regs.forEach((r, i) => {
    const t = s.begin(i + 1);
    ensureRegistrationTxn(t, reg(r));
    s.commit(t);
  });
  return s;
}

test('services are summarized per name: instances, sorted nodes and tags, external sources, distinct checks', () => {
  const s = store(
    { node: 'n2', id: 'web-a', name: 'web', tags: ['v2', 'rails'], meta: { 'external-source': 'k8s' }, checks: [['serfHealth', 'passing'], ['web-a-http', 'critical', 'web-a']] },
    { node: 'n2', id: 'web-b', name: 'web', tags: ['rails'], checks: [['web-b-http', 'warning', 'web-b']] },
    { node: 'n1', id: 'web', name: 'web', checks: [['serfHealth', 'passing']] },
    { node: 'n1', id: 'db', name: 'db' },
  );
  const [db, web] = summarizeServices(s);
  assert.deepEqual(web, {
    Name: 'web',
    Datacenter: 'dc1',
    Tags: ['rails', 'v2'],
    Nodes: ['n1', 'n2'],
    ExternalSources: ['k8s'],
    InstanceCount: 3,
    // n2's serfHealth counts once although two instances of web run there.
    ChecksPassing: 2,
    ChecksWarning: 1,
    ChecksCritical: 1,
    GatewayConfig: {},
    TransparentProxy: false,
    ConnectNative: false,
    ConnectedWithProxy: false,
    ConnectedWithGateway: false,
  });
  // No tags and no sources serialize as null (Go's nil slices); an empty Kind is omitted.
  assert.equal(db?.Tags, null);
  assert.equal(db?.ExternalSources, null);
  assert.equal(db?.ChecksPassing, 1);
  assert.equal('Kind' in (db ?? {}), false);
});

test('an instance filter drops instances before they are counted', () => {
  const s = store({ node: 'n1', id: 'a', name: 'web', tags: ['x'] }, { node: 'n2', id: 'b', name: 'web', tags: ['y'] }, { node: 'n2', id: 'c', name: 'db' });
  const only = summarizeServices(s, (node) => node.Node === 'n2');
  assert.deepEqual(only.map((x) => [x.Name, x.InstanceCount, x.Tags]), [['db', 1, null], ['web', 1, ['y']]]);
});

test('the node dump carries every node with its services and checks', () => {
  const s = store({ node: 'n1', id: 'web', name: 'web', checks: [['serfHealth', 'critical']] }, { node: 'n2', id: 'db', name: 'db' });
  const dump = nodeDump(s);
  assert.deepEqual(dump.map((n) => [n.Node, n.Services.map((x) => x.ID), n.Checks.map((c) => c.Status)]), [['n1', ['web'], ['critical']], ['n2', ['db'], []]]);
  assert.deepEqual(Object.keys(dump[0] ?? {}), ['ID', 'Node', 'Address', 'TaggedAddresses', 'Meta', 'Services', 'Checks']);
});
