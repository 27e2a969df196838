import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFilter, FilterError } from '../../../src/core/http/filter/index.js';

const svc = { ID: 'web1', Service: 'web', Tags: ['rails', 'v2'], Port: 80, Meta: { env: 'prod', 'my-key': 'x' }, EnableTagOverride: false, Weights: { Passing: 1, Warning: 1 } };
const entry = { Node: { Node: 'n1', Meta: {} }, Service: svc, Checks: [{ CheckID: 'serfHealth', Status: 'passing' }, { CheckID: 'http', Status: 'critical' }] };

const f = (expr: string, v: unknown = svc) => compileFilter(expr)(v);

test('matching operators of go-bexpr', () => {
  assert.ok(f('Service == "web"'));
  assert.ok(f('Service == web'), 'bare words are values');
  assert.ok(!f('Service != web'));
  assert.ok(f('Port == 80'));
  assert.ok(f('EnableTagOverride == false'));
  assert.ok(f('"rails" in Tags'));
  assert.ok(f('"x" not in Tags'));
  assert.ok(f('Tags contains "v2"'));
  assert.ok(f('Tags not contains "v3"'));
  assert.ok(f('Meta.env == prod'));
  assert.ok(f('Meta["my-key"] == "x"'));
  assert.ok(f('env in Meta'), 'in on a map tests keys');
  assert.ok(f('Meta.missing is empty'), 'a missing map key is empty');
  assert.ok(f('Tags is not empty'));
  assert.ok(f('Service matches "^w.b$"'));
  assert.ok(f('Service not matches "^db"'));
  assert.ok(f('Service contains "eb"'), 'contains on a string is a substring test');
  assert.ok(f('ID == `web1`'), 'raw strings');
});

test('logic: not > and > or, parentheses', () => {
  assert.ok(f('Service == db or Service == web and Port == 80'));
  assert.ok(!f('(Service == db or Service == web) and Port == 81'));
  assert.ok(f('not Service == db'));
  assert.ok(!f('not (Service == web and Port == 80)'));
});

test('selectors across a list of objects match any element', () => {
  assert.ok(f('Checks.Status == critical', entry));
  assert.ok(!f('Checks.Status != critical', entry), 'a negative match needs every element');
  assert.ok(f('Node.Node == n1', entry));
  assert.ok(f('Service.Tags contains rails', entry));
});

test('errors name the problem', () => {
  assert.throws(() => compileFilter('Service ='), (e: Error) => e instanceof FilterError && /^Failed to create boolean expression evaluator/.test(e.message));
  assert.throws(() => compileFilter('Service == "web'), FilterError);
  assert.throws(() => compileFilter('(Service == web'), FilterError);
  assert.throws(() => f('Bogus == 1'), /Selector "Bogus" is not valid/);
  assert.throws(() => f('Tags == rails'), FilterError, '== against a list is an error');
});
