import assert from 'node:assert/strict';
import { test } from 'node:test';
import { banner } from '../../../src/core/agent/banner.js';
import { buildRuntime } from '../../../src/core/config/index.js';

const line = (text: string, key: string): string => text.split('\n').find((l) => l.trimStart().startsWith(`${key}:`)) ?? '';

test('the banner says gossip is encrypted when -encrypt is set', () => {
  const key = Buffer.alloc(32, 7).toString('base64');
  const on = banner(buildRuntime({ encrypt: key }, { dev: true, paths: [], flags: {} }), 'id');
  assert.equal(line(on, 'Gossip Encryption').trim(), 'Gossip Encryption: true');
  const off = banner(buildRuntime({}, { dev: true, paths: [], flags: {} }), 'id');
  assert.equal(line(off, 'Gossip Encryption').trim(), 'Gossip Encryption: false');
});

test('the banner lists only listeners that run: no HTTPS or gRPC port even when configured', () => {
  // -dev asks for gRPC on 8502 (Consul's dev default), which this agent does not serve.
  const rt = buildRuntime({ ports: { https: 8501, grpc: 8502, http: 18500, dns: 18600 } }, { dev: true, paths: [], flags: {} });
  assert.equal(line(banner(rt, 'id'), 'Client Addr').trim(), 'Client Addr: [127.0.0.1] (HTTP: 18500, HTTPS: -1, gRPC: -1, gRPC-TLS: -1, DNS: 18600)');
});
