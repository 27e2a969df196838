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

test('the banner lists only listeners that run: HTTPS when configured, no gRPC port even when configured', () => {
  // -dev asks for gRPC on 8502 (Consul's dev default), which this agent does not serve.
  const rt = buildRuntime({ ports: { https: 8501, grpc: 8502, http: 18500, dns: 18600 } }, { dev: true, paths: [], flags: {} });
  assert.equal(line(banner(rt, 'id'), 'Client Addr').trim(), 'Client Addr: [127.0.0.1] (HTTP: 18500, HTTPS: 8501, gRPC: -1, gRPC-TLS: -1, DNS: 18600)');
});

test("the banner's TLS lines show the tls config (Consul: command/agent/agent.go)", () => {
  const rt = buildRuntime(
    { tls: { defaults: { verify_outgoing: true }, https: { verify_incoming: true, tls_min_version: 'TLSv1_3' }, internal_rpc: { verify_server_hostname: true } } },
    { dev: true, paths: [], flags: {} },
  );
  const b = banner(rt, 'id');
  assert.equal(line(b, 'HTTPS TLS').trim(), 'HTTPS TLS: Verify Incoming: true, Verify Outgoing: true, Min Version: TLSv1_3');
  assert.equal(line(b, 'gRPC TLS').trim(), 'gRPC TLS: Verify Incoming: false, Min Version: TLSv1_2');
  assert.equal(line(b, 'Internal RPC TLS').trim(), 'Internal RPC TLS: Verify Incoming: false, Verify Outgoing: true (Verify Hostname: true), Min Version: TLSv1_2');
});
