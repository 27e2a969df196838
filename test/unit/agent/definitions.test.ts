import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BadStatusError,
  checkKind,
  decodeCheck,
  decodeService,
  DefinitionError,
  definitionsFromConfig,
  serviceCheckId,
  validateCheck,
  validateService,
} from '../../../src/core/agent/definitions.js';

test('a service decodes the same from snake_case config and PascalCase HTTP', () => {
  const snake = decodeService({
    id: 'web1',
    name: 'web',
    tags: ['rails'],
    port: 80,
    address: '10.0.0.1',
    meta: { version: '1' },
    enable_tag_override: true,
    tagged_addresses: { lan: { address: '10.0.0.1', port: 80 } },
    check: { http: 'http://localhost/', interval: '10s', deregister_critical_service_after: '90m' },
  });
  const pascal = decodeService({
    ID: 'web1',
    Name: 'web',
    Tags: ['rails'],
    Port: 80,
    Address: '10.0.0.1',
    Meta: { version: '1' },
    EnableTagOverride: true,
    TaggedAddresses: { lan: { Address: '10.0.0.1', Port: 80 } },
    Check: { HTTP: 'http://localhost/', Interval: '10s', DeregisterCriticalServiceAfter: '90m' },
  });
  assert.deepEqual(snake, pascal);
  assert.equal(snake.service.ID, 'web1');
  assert.equal(snake.checks[0]?.intervalMs, 10_000);
  assert.equal(snake.checks[0]?.deregisterCriticalServiceAfterMs, 90 * 60_000);
  assert.deepEqual(snake.service.Weights, { Passing: 1, Warning: 1 });
});

test('the service ID defaults to the name; durations accept Go strings and nanoseconds', () => {
  const d = decodeService({ Name: 'db', Checks: [{ TTL: 30_000_000_000 }, { tcp: 'localhost:5432', interval: '1m30s' }] });
  assert.equal(d.service.ID, 'db');
  assert.equal(d.checks[0]?.ttlMs, 30_000);
  assert.equal(d.checks[1]?.intervalMs, 90_000);
});

test('wrong types are decode errors with Go-like text', () => {
  assert.throws(() => decodeService({ Name: 'bad', Port: 'eighty' }), (e: unknown) => e instanceof DefinitionError && /cannot unmarshal string .*Port of type int/.test(e.message));
  assert.throws(() => decodeService({ Name: 'bad', Tags: 'x' }), DefinitionError);
  assert.throws(() => decodeService('nope'), DefinitionError);
  assert.throws(() => decodeCheck({ Name: 'c', TTL: 'forever' }), DefinitionError);
  assert.throws(() => decodeCheck({ Name: 'c', TTL: '10s', Status: 'bogus' }), BadStatusError);
});

test('validation: missing name, check kinds, intervals', () => {
  assert.equal(validateService(decodeService({ Port: 1 })), 'Missing service name');
  assert.equal(validateService(decodeService({ Name: 'a', Address: '0.0.0.0' })), 'Invalid service address');
  assert.equal(
    validateService(decodeService({ Name: 'a', Check: { HTTP: 'http://x' } })),
    'Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks',
  );
  assert.equal(validateCheck(decodeCheck({ Name: 'c' })), 'TTL must be > 0 for TTL checks');
  assert.equal(validateCheck(decodeCheck({ Name: 'c', TTL: '5s' })), undefined);
  assert.equal(validateService(decodeService({ Name: 'a', Meta: { 'consul-x': '1' } })), "Invalid Service Meta: Key prefix 'consul-' is reserved for internal use");
});

test('script checks: args, and the legacy script string through /bin/sh -c', () => {
  assert.deepEqual(decodeCheck({ args: ['true'], interval: '1s' }).args, ['true']);
  assert.deepEqual(decodeCheck({ ScriptArgs: ['true'], interval: '1s' }).args, ['true']);
  const legacy = decodeCheck({ script: 'echo hi', interval: '1s' });
  assert.deepEqual(legacy.args, ['/bin/sh', '-c', 'echo hi']);
  assert.equal(checkKind(legacy), 'script');
});

test('service check IDs: service:<id>, or service:<id>:<n> from 1 when several', () => {
  assert.equal(serviceCheckId('web', 0, 1), 'service:web');
  assert.equal(serviceCheckId('web', 0, 2), 'service:web:1');
  assert.equal(serviceCheckId('a/b', 1, 2), 'service:a/b:2');
});

test('config sections: service, services[], check, checks[]', () => {
  const d = definitionsFromConfig({
    service: { name: 'web' },
    services: [{ id: 'lb', name: 'nginx' }],
    check: { id: 'c1', name: 'one', ttl: '10s' },
    checks: [{ name: 'two', ttl: '10s', service_id: 'web' }],
  });
  assert.deepEqual(d.services.map((s) => s.service.ID), ['web', 'lb']);
  assert.deepEqual(d.checks.map((c) => [c.id, c.name, c.serviceId]), [['c1', 'one', ''], ['', 'two', 'web']]);
});
