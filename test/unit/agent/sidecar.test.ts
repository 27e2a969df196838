import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkKind, decodeCheck, decodeService, DefinitionError, validateService } from '../../../src/core/agent/definitions.js';
import { encodeCheckDefinition } from '../../../src/core/agent/persist.js';
import { allocateSidecarPort } from '../../../src/core/agent/sidecar.js';

test('connect.sidecar_service expands to <name>-sidecar-proxy with Consul\'s defaults (Consul: sidecarServiceFromNodeService)', () => {
  const def = decodeService({
    name: 'web',
    port: 8080,
    tags: ['v1'],
    connect: { sidecar_service: { proxy: { upstreams: [{ destination_name: 'socat', local_bind_port: 9191 }] } } },
  });
  const sd = def.sidecar;
  assert.ok(sd);
  assert.equal(sd.service.ID, 'web-sidecar-proxy');
  assert.equal(sd.service.Service, 'web-sidecar-proxy');
  assert.equal(sd.service.Kind, 'connect-proxy');
  assert.equal(sd.service.Port, 0, 'allocated by the agent');
  assert.deepEqual(sd.service.Tags, ['v1'], 'inherits the parent tags');
  assert.deepEqual(
    [sd.service.Proxy?.DestinationServiceName, sd.service.Proxy?.DestinationServiceID, sd.service.Proxy?.LocalServiceAddress, sd.service.Proxy?.LocalServicePort],
    ['web', 'web', '127.0.0.1', 8080],
  );
  assert.deepEqual(sd.service.Proxy?.Upstreams.map((u) => [u.DestinationType, u.DestinationName, u.LocalBindPort]), [['service', 'socat', 9191]]);
  assert.equal(def.service.Connect, undefined, 'the parent keeps no Connect block');
});

test('native services, bad connect blocks and proxy validation', () => {
  assert.deepEqual(decodeService({ name: 'db', connect: { native: true } }).service.Connect, { Native: true });
  assert.throws(() => decodeService({ name: 'db', connect: { native: true, sidecar_service: {} } }), DefinitionError);
  assert.throws(() => decodeService({ name: 'db', connect: 'yes' }), DefinitionError);
  assert.equal(validateService(decodeService({ name: 'p', kind: 'connect-proxy', port: 1 })), 'Proxy.DestinationServiceName must be set for Connect proxy services');
  assert.equal(validateService(decodeService({ name: 'p', kind: 'connect-proxy', proxy: { destination_service_name: 'db' } })), 'Port must be set for a Connect proxy');
});

test('sidecar ports come from 21000..21255, skipping used ones', () => {
  assert.equal(allocateSidecarPort(new Set()), 21000);
  assert.equal(allocateSidecarPort(new Set([21000, 21001])), 21002);
  const all = new Set(Array.from({ length: 256 }, (_, i) => 21000 + i));
  assert.throws(() => allocateSidecarPort(all), /no port available in range 21000 to 21255/);
});

test('an alias check survives persistence', () => {
  const c = decodeCheck({ name: 'alias', alias_service: 'web' });
  assert.equal(checkKind(c), 'alias');
  assert.equal(checkKind(decodeCheck(encodeCheckDefinition(c))), 'alias');
});
