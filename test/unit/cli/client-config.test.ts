import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveClientConfig } from '../../../src/core/client/config.js';
import { ClientConfigError, StatusError, TransportError, describeDialError } from '../../../src/core/client/errors.js';
import { encodeQuery, escapePath } from '../../../src/core/client/http.js';

describe('resolveClientConfig', () => {
  it('defaults to http://127.0.0.1:8500', () => {
    const c = resolveClientConfig({}, {});
    assert.equal(c.scheme, 'http');
    assert.equal(c.address, '127.0.0.1:8500');
  });

  it('prefers the flag over CONSUL_HTTP_ADDR and understands schemes', () => {
    assert.equal(resolveClientConfig({ 'http-addr': '10.0.0.1:1' }, { CONSUL_HTTP_ADDR: '10.0.0.2:2' }).address, '10.0.0.1:1');
    const https = resolveClientConfig({}, { CONSUL_HTTP_ADDR: 'https://consul.example:8501' });
    assert.equal(https.scheme, 'https');
    assert.equal(https.address, 'consul.example:8501');
    const unix = resolveClientConfig({ 'http-addr': 'unix:///tmp/consul.sock' }, {});
    assert.equal(unix.socketPath, '/tmp/consul.sock');
    assert.equal(resolveClientConfig({}, { CONSUL_HTTP_ADDR: '127.0.0.1:8500', CONSUL_HTTP_SSL: 'true' }).scheme, 'https');
    assert.equal(resolveClientConfig({ 'http-addr': 'http://h:1/prefix/' }, {}).pathPrefix, '/prefix');
  });

  it('rejects unknown schemes with Consul’s message', () => {
    assert.throws(() => resolveClientConfig({ 'http-addr': 'ftp://x' }, {}), (e: unknown) => e instanceof ClientConfigError && e.message === 'Unknown protocol scheme: ftp');
  });

  it('reads tokens from flags, env and token files (file wins)', () => {
    assert.equal(resolveClientConfig({ token: 'a' }, { CONSUL_HTTP_TOKEN: 'b' }).token, 'a');
    assert.equal(resolveClientConfig({}, { CONSUL_HTTP_TOKEN: 'b' }).token, 'b');
    const dir = mkdtempSync(join(tmpdir(), 'consul-ts-'));
    const file = join(dir, 'token');
    writeFileSync(file, '  secret\n');
    assert.equal(resolveClientConfig({ token: 'a', 'token-file': file }, {}).token, 'secret');
    assert.throws(
      () => resolveClientConfig({ 'token-file': join(dir, 'missing') }, {}),
      (e: unknown) => e instanceof ClientConfigError && e.message === `Error loading token file: open ${join(dir, 'missing')}: no such file or directory`,
    );
  });
});

describe('client errors', () => {
  it("word HTTP and dial failures like Go's client", () => {
    assert.equal(new StatusError(403, 'Permission denied').message, 'Unexpected response code: 403 (Permission denied)');
    const refused = describeDialError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), {
      network: 'tcp',
      address: '127.0.0.1:1',
      host: '127.0.0.1',
    });
    const e = new TransportError('GET', 'http://127.0.0.1:1/v1/kv/foo', refused.detail);
    assert.equal(e.message, 'Get "http://127.0.0.1:1/v1/kv/foo": dial tcp 127.0.0.1:1: connect: connection refused');
  });

  it('encodes paths and queries like net/url', () => {
    assert.equal(escapePath('/v1/kv/a b?c#d'), '/v1/kv/a%20b%3Fc%23d');
    assert.equal(encodeQuery({ recurse: true, dc: 'dc1', cas: 0, wan: undefined }), 'cas=0&dc=dc1&recurse=');
  });
});
