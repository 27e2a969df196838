import assert from 'node:assert/strict';
import { test } from 'node:test';
import { datacenterOfServer } from '../../../src/core/agent/rpc-tls.js';
import type { AgentMember } from '../../../src/core/structs/agent.js';

const member = (name: string, addr: string, dc: string, port: string): AgentMember => ({
  Name: name,
  Addr: addr,
  Port: 8302,
  Tags: { role: 'consul', dc, port, id: `${name}-id`, vsn: '2', build: '1.21.5:' },
  Status: 1,
  ProtocolMin: 1,
  ProtocolMax: 5,
  ProtocolCur: 2,
  DelegateMin: 2,
  DelegateMax: 5,
  DelegateCur: 4,
});

test("a dialled server's datacenter comes from its WAN member (its TLS name is server.<dc>.<domain>)", () => {
  const wan = [member('s1.dc1', '10.0.0.1', 'dc1', '8300'), member('s1.dc2', '10.0.1.1', 'dc2', '8300'), member('s2.dc2', '10.0.1.2', 'dc2', '9300')];
  assert.equal(datacenterOfServer('10.0.1.1:8300', wan), 'dc2');
  assert.equal(datacenterOfServer('10.0.1.2:9300', wan), 'dc2');
  assert.equal(datacenterOfServer('10.0.0.1:8300', wan), 'dc1');
  assert.equal(datacenterOfServer('10.0.1.2:8300', wan), undefined, 'the port must match too');
  assert.equal(datacenterOfServer('10.0.0.9:8300', []), undefined);
});
