// What list answers keep for a token (src/core/acl/filters.ts, Consul's acl_filter.go), and the
// response cache's promise never to hand one token's filtered answer to another.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ACL_DISABLED,
  ANONYMOUS_TOKEN_ID,
  filterCheckServiceNodes,
  filterDirEntries,
  filterHealthChecks,
  filterIntentions,
  filterKeys,
  filterNodeDump,
  filterServiceMap,
  filterServiceNames,
  filterSessions,
  RequestAcl,
} from '../../../src/core/acl/index.js';
import { ResponseCache } from '../../../src/core/http/response-cache.js';
import { compileTestRules } from '../../support/acl-test-rules.js';

const acl = (rules: string): RequestAcl => new RequestAcl(compileTestRules(rules, 'deny'), 'a1b2c3', true);

describe('ACL list filters', () => {
  it('return their input untouched while ACLs are off', () => {
    const nodes = [{ Node: 'n1' }];
    assert.equal(filterSessions(ACL_DISABLED, nodes), nodes);
    assert.equal(ACL_DISABLED.filtered, false);
  });

  it('keep KV entries and keys by key:read, and report that something was dropped', () => {
    const a = acl('key_prefix "app/" { policy = "read" }\nkey "app/secret" { policy = "deny" }');
    assert.deepEqual(filterKeys(a, ['app/a', 'app/secret', 'other']), ['app/a']);
    assert.equal(a.filtered, true);
    const b = acl('key_prefix "" { policy = "read" }');
    assert.deepEqual(filterDirEntries(b, [{ Key: 'x' }]), [{ Key: 'x' }]);
    assert.equal(b.filtered, false, 'nothing dropped, nothing reported');
  });

  it('health checks need node:read, and service:read only when they belong to a service (allowService)', () => {
    const a = acl('node_prefix "" { policy = "read" }\nservice "web" { policy = "read" }');
    const checks = [
      { Node: 'n1', ServiceName: '' },
      { Node: 'n1', ServiceName: 'web' },
      { Node: 'n1', ServiceName: 'db' },
    ];
    assert.deepEqual(filterHealthChecks(a, checks), checks.slice(0, 2));
    const noNodes = acl('service_prefix "" { policy = "read" }');
    assert.deepEqual(filterHealthChecks(noNodes, checks), []);
  });

  it('service entries need both their node and their service', () => {
    const a = acl('node "n1" { policy = "read" }\nservice "web" { policy = "read" }');
    const entries = [
      { Node: { Node: 'n1' }, Service: { Service: 'web' } },
      { Node: { Node: 'n2' }, Service: { Service: 'web' } },
    ];
    assert.deepEqual(filterCheckServiceNodes(a, entries), entries.slice(0, 1));
  });

  it('service maps and name lists keep only readable services', () => {
    const a = acl('service "web" { policy = "read" }');
    assert.deepEqual(filterServiceMap(a, { w: { Service: 'web' }, d: { Service: 'db' } }), { w: { Service: 'web' } });
    assert.deepEqual([...filterServiceNames(a, new Map([['web', []], ['db', []]])).keys()], ['web']);
  });

  it('a node dump drops unreadable nodes, then services and checks within the rest', () => {
    const a = acl('node "n1" { policy = "read" }\nservice "web" { policy = "read" }');
    const dump = [
      { Node: 'n1', Services: [{ Service: 'web' }, { Service: 'db' }], Checks: [{ Node: 'n1', ServiceName: 'db' }, { Node: 'n1', ServiceName: '' }] },
      { Node: 'n2', Services: [], Checks: [] },
    ];
    assert.deepEqual(filterNodeDump(a, dump), [{ Node: 'n1', Services: [{ Service: 'web' }], Checks: [{ Node: 'n1', ServiceName: '' }] }]);
    assert.equal(a.filtered, true);
  });

  it('sessions follow session:read on their node; intentions intention:read on either end', () => {
    const a = acl('session "n1" { policy = "read" }\nservice "api" { policy = "read" }');
    assert.deepEqual(filterSessions(a, [{ Node: 'n1' }, { Node: 'n2' }]), [{ Node: 'n1' }]);
    const ixns = [
      { SourceName: 'api', DestinationName: 'web' },
      { SourceName: 'x', DestinationName: 'y' },
    ];
    assert.deepEqual(filterIntentions(a, ixns), ixns.slice(0, 1));
  });
});

describe('the response cache with ACLs on', () => {
  it('shares an answer only between requests of the same Authorizer, and replays whether it was filtered', () => {
    const cache = new ResponseCache();
    const narrow = compileTestRules('node "n1" { policy = "read" }', 'deny');
    const wide = compileTestRules('node_prefix "" { policy = "read" }', 'deny');
    const nodes = [{ Node: 'n1' }, { Node: 'n2' }];
    let builds = 0;
    const read = (r: RequestAcl) => () => {
      builds++;
      return r.filter(nodes, (n) => r.authz.nodeRead(n.Node));
    };
    const r1 = new RequestAcl(narrow, 't1', true);
    assert.equal(cache.get('k', 5, read(r1), false, r1).toString(), '[{"Node":"n1"}]');
    assert.equal(r1.filtered, true);
    const r2 = new RequestAcl(wide, 't2', true);
    assert.equal(cache.get('k', 5, read(r2), false, r2).toString(), '[{"Node":"n1"},{"Node":"n2"}]', 'another token: its own answer');
    assert.equal(r2.filtered, false);
    const r3 = new RequestAcl(narrow, 't1', true);
    assert.equal(cache.get('k', 5, read(r3), false, r3).toString(), '[{"Node":"n1"}]');
    assert.equal(r3.filtered, true, 'a hit says the answer was filtered, as the build did');
    assert.equal(builds, 2);
    const anon = new RequestAcl(narrow, ANONYMOUS_TOKEN_ID, true);
    cache.get('k', 5, read(anon), false, anon);
    assert.equal(builds, 2, 'the same authorizer shares the answer whatever the accessor');
  });

  it('keeps the ACLs-off key and entry as before', () => {
    const cache = new ResponseCache();
    let builds = 0;
    const body = cache.get('k', 1, () => ++builds, false, ACL_DISABLED);
    assert.equal(cache.get('k', 1, () => ++builds, false), body, 'with or without the disabled identity: one entry');
    assert.equal(builds, 1);
  });
});
