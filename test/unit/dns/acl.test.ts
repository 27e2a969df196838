// DNS answers as the agent's default token (issue 12): what its authorizer may not read is not
// there (NXDOMAIN), and a changed authorizer (a policy update) is seen at once, even for a
// question already answered at the same catalog index.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestAcl } from '../../../src/core/acl/index.js';
import { compileTestRules } from '../../support/acl-test-rules.js';
import { answersOf, ask, Catalog, handlerFor, rcodeOf } from './fixtures.js';

function catalog(): Catalog {
  return new Catalog()
    .register({ Node: 'n1', Address: '10.0.0.1' }, { ID: 'web1', Service: 'web', Port: 80 })
    .register({ Node: 'n2', Address: '10.0.0.2' }, { ID: 'web2', Service: 'web', Port: 81 })
    .register({ Node: 'n2', Address: '10.0.0.2' }, { ID: 'db1', Service: 'db', Port: 5432 });
}

const as = (rules: string) => (): RequestAcl => new RequestAcl(compileTestRules(rules, 'deny'), 'dns-token', true);

test('nodes and services the DNS token may not read are answered as unknown', () => {
  const h = handlerFor(catalog());
  assert.equal(answersOf(ask(h, 'web.service.consul')).length, 2, 'ACLs off: everything');
  h.identity = as('');
  assert.equal(rcodeOf(ask(h, 'web.service.consul')), 'NXDOMAIN');
  assert.equal(rcodeOf(ask(h, 'n1.node.consul')), 'NXDOMAIN');
  h.identity = as('service "web" { policy = "read" }\nnode "n1" { policy = "read" }');
  assert.deepEqual(answersOf(ask(h, 'web.service.consul')).map((a) => a.data), ['10.0.0.1'], 'only the instance on a readable node');
  assert.equal(rcodeOf(ask(h, 'db.service.consul')), 'NXDOMAIN');
  assert.equal(rcodeOf(ask(h, 'n2.node.consul')), 'NXDOMAIN');
  assert.equal(answersOf(ask(h, 'n1.node.consul')).length, 1);
});

test('a DNS token that cannot be resolved fails the question (SERVFAIL), not the agent', () => {
  const h = handlerFor(catalog());
  h.identity = () => {
    throw new Error('ACL not found');
  };
  assert.equal(rcodeOf(ask(h, 'web.service.consul')), 'SERVFAIL');
});
