import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRuntime, ConfigError, loadRuntimeConfig, mergeConfigs, validateSource } from '../../../src/core/config/index.js';

const spec = { dev: true, paths: [], flags: {} };

test('tls blocks: defaults flow into each protocol, per-protocol values win', () => {
  const r = buildRuntime(
    validateSource('f', {
      tls: {
        defaults: { ca_file: '/ca.pem', cert_file: '/c.pem', key_file: '/k.pem', verify_incoming: true, verify_outgoing: true, tls_min_version: 'TLSv1_3' },
        https: { verify_incoming: false, tls_min_version: 'TLSv1_2', tls_cipher_suites: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' },
        internal_rpc: { verify_server_hostname: true },
      },
      ports: { https: 8501 },
    }),
    spec,
  );
  assert.equal(r.ports.https, 8501);
  assert.deepEqual(r.httpsAddrs, ['127.0.0.1']);
  assert.equal(r.tls.internalRpc.caFile, '/ca.pem');
  assert.equal(r.tls.internalRpc.verifyIncoming, true);
  assert.equal(r.tls.internalRpc.verifyServerHostname, true);
  assert.equal(r.tls.internalRpc.tlsMinVersion, 'TLSv1_3');
  assert.equal(r.tls.https.verifyIncoming, false);
  assert.equal(r.tls.https.tlsMinVersion, 'TLSv1_2');
  assert.deepEqual(r.tls.https.cipherSuites, ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256']);
  assert.equal(r.tls.grpc.verifyOutgoing, false, 'gRPC never inherits verify_outgoing');
});

test('defaults: HTTPS off, TLSv1_2, nothing verified; verify_server_hostname implies verify_outgoing', () => {
  const r = buildRuntime({}, spec);
  assert.equal(r.ports.https, -1);
  assert.equal(r.tls.https.tlsMinVersion, 'TLSv1_2', "Consul's default source");
  assert.equal(buildRuntime({ tls: { defaults: { tls_min_version: '' } } }, spec).tls.https.tlsMinVersion, 'TLS_AUTO');
  assert.equal(r.tls.internalRpc.verifyOutgoing, false);
  const v = buildRuntime({ tls: { internal_rpc: { verify_server_hostname: true } } }, spec);
  assert.equal(v.tls.internalRpc.verifyOutgoing, true);
  const a = buildRuntime({ addresses: { https: '127.0.0.2 127.0.0.3' }, ports: { https: 8501 } }, spec);
  assert.deepEqual(a.httpsAddrs, ['127.0.0.2', '127.0.0.3']);
});

test("Consul's validation texts", () => {
  const bad = (tls: object, re: RegExp): void => assert.throws(() => buildRuntime(validateSource('f', { tls }), spec), (e: Error) => e instanceof ConfigError && re.test(e.message));
  bad(
    { defaults: { tls_min_version: 'tls14' } },
    /^tls\.defaults\.tls_min_version: invalid TLS version: no matching TLS version found for tls14, please specify one of \[TLS_AUTO, TLSv1_0, TLSv1_1, TLSv1_2, TLSv1_3\]$/,
  );
  bad({ https: { tls_min_version: 'tls12' } }, /^tls\.https\.tls_min_version: invalid TLS version: no matching TLS version found for tls12/);
  bad({ grpc: { verify_outgoing: true } }, /^verify_outgoing is not valid in the tls\.grpc stanza$/);
  bad({ defaults: { verify_server_hostname: true } }, /^verify_server_hostname is only valid in the tls\.internal_rpc stanza$/);
  bad({ https: { use_auto_cert: true } }, /^use_auto_cert is only valid in the tls\.grpc stanza$/);
  bad({ defaults: { tls_min_version: 'TLSv1_3', tls_cipher_suites: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' } }, /^tls\.defaults\.tls_cipher_suites: TLS 1\.3 cipher suites are not configurable$/);
  bad({ defaults: { tls_cipher_suites: 'TLS_RSA_WITH_AES_128_CBC_SHA,NOPE' } }, /invalid TLS cipher suites: no matching Consul Agent TLS cipher suite found for TLS_RSA_WITH_AES_128_CBC_SHA,NOPE$/);
  assert.throws(() => validateSource('f', { tls: { defaults: { bogus: 1 } } }), /invalid config key tls\.defaults\.bogus/);
  assert.throws(() => validateSource('f', { tls: { nope: {} } }), /invalid config key tls\.nope/);
});

test('deprecated top-level keys map as deprecated.go does, with its warnings in its order', () => {
  const r = buildRuntime(
    validateSource('f', {
      ca_file: '/ca.pem',
      ca_path: '/cas',
      cert_file: '/c.pem',
      key_file: '/k.pem',
      tls_cipher_suites: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      tls_min_version: 'tls12',
      verify_incoming: true,
      verify_incoming_https: false,
      verify_incoming_rpc: true,
      verify_outgoing: true,
      verify_server_hostname: true,
      tls_prefer_server_cipher_suites: true,
    }),
    spec,
  );
  assert.deepEqual(r.warnings, [
    "The 'ca_file' field is deprecated. Use the 'tls.defaults.ca_file' field instead.",
    "The 'ca_path' field is deprecated. Use the 'tls.defaults.ca_path' field instead.",
    "The 'cert_file' field is deprecated. Use the 'tls.defaults.cert_file' field instead.",
    "The 'key_file' field is deprecated. Use the 'tls.defaults.key_file' field instead.",
    "The 'tls_cipher_suites' field is deprecated. Use the 'tls.defaults.tls_cipher_suites' field instead.",
    "'tls_min_version' value 'tls12' is deprecated, please specify 'TLSv1_2' instead",
    "The 'tls_min_version' field is deprecated. Use the 'tls.defaults.tls_min_version' field instead.",
    "The 'verify_incoming' field is deprecated. Use the 'tls.defaults.verify_incoming' field instead.",
    "The 'verify_incoming_https' field is deprecated. Use the 'tls.https.verify_incoming' field instead.",
    "The 'verify_incoming_rpc' field is deprecated. Use the 'tls.internal_rpc.verify_incoming' field instead.",
    "The 'verify_outgoing' field is deprecated. Use the 'tls.defaults.verify_outgoing' field instead.",
    "The 'verify_server_hostname' field is deprecated. Use the 'tls.internal_rpc.verify_server_hostname' field instead.",
    "The 'tls_prefer_server_cipher_suites' field is deprecated and will be ignored.",
  ]);
  assert.equal(r.tls.https.caFile, '/ca.pem');
  assert.equal(r.tls.https.verifyIncoming, false);
  assert.equal(r.tls.internalRpc.verifyIncoming, true);
  assert.equal(r.tls.internalRpc.verifyServerHostname, true);
  assert.equal(r.tls.internalRpc.tlsMinVersion, 'TLSv1_2');
  assert.equal(r.tls.grpc.verifyIncoming, false, 'the old verify_incoming never reached the gRPC port');
  assert.equal(r.file.ca_file, undefined);
});

test('a tls block key wins over its deprecated key; tls blocks merge key by key across files', () => {
  const r = buildRuntime(validateSource('f', { ca_file: '/old.pem', tls: { defaults: { ca_file: '/new.pem' } } }), spec);
  assert.equal(r.tls.internalRpc.caFile, '/new.pem');
  const m = mergeConfigs([{ tls: { defaults: { ca_file: '/a' } } }, { tls: { defaults: { cert_file: '/b' }, https: { verify_incoming: true } } }]);
  assert.deepEqual(m.tls, { defaults: { ca_file: '/a', cert_file: '/b' }, https: { verify_incoming: true } });
  assert.throws(() => buildRuntime(validateSource('f', { tls_min_version: 'tls99' }), spec), /tls\.defaults\.tls_min_version: invalid TLS version: no matching TLS version found for tls99/);
});

test('deprecated TLS keys are moved per source, before the merge, as Consul does', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'consul-ts-tlscfg-'));
  try {
    writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ tls: { defaults: { tls_min_version: 'TLSv1_3' } } }));
    writeFileSync(path.join(dir, 'b.json'), JSON.stringify({ tls_min_version: 'tls12' }));
    const r = await loadRuntimeConfig({ dev: true, paths: [dir], flags: {} });
    assert.equal(r.tls.https.tlsMinVersion, 'TLSv1_2', "the later file's deprecated key wins");
    assert.equal(r.warnings.filter((w) => /tls_min_version/.test(w)).length, 2, r.warnings.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
