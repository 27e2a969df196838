// api.SetupTLSConfig at the seam: what the client reads from its TLS settings, and Go's texts.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClientConfigError } from '../../../src/core/client/errors.js';
import { setupTlsMaterial } from '../../../src/core/client/tls.js';
import { tlsErrorText } from '../../../src/core/client/tls-errors.js';
import { makeTlsFiles, type TlsFiles } from '../../support/tls-fixtures.js';

describe('client TLS material (api.SetupTLSConfig)', () => {
  let files: TlsFiles;
  before(async () => {
    files = await makeTlsFiles();
  });
  after(() => files.remove());

  const fails = (settings: Parameters<typeof setupTlsMaterial>[0], message: string): void => {
    assert.throws(() => setupTlsMaterial(settings), (e: unknown) => e instanceof ClientConfigError && e.message === message);
  };

  it('strips the port from the server name, as SplitHostPort does', () => {
    assert.equal(setupTlsMaterial({ serverName: 'server.dc1.consul:8501', insecureSkipVerify: false }).servername, 'server.dc1.consul');
    assert.equal(setupTlsMaterial({ serverName: 'server.dc1.consul', insecureSkipVerify: false }).servername, 'server.dc1.consul');
    assert.equal(setupTlsMaterial({ serverName: '[::1]:8501', insecureSkipVerify: false }).servername, '::1');
    fails({ serverName: 'a:b:c', insecureSkipVerify: false }, 'address a:b:c: too many colons in address');
  });

  it('uses the CA file alone when both a file and a path are given; walks the path recursively', () => {
    const dir = path.join(files.dir, 'capath');
    mkdirSync(path.join(dir, 'nested'), { recursive: true });
    writeFileSync(path.join(dir, 'nested', 'ca.crt'), `junk before\n${readFileSync(files.ca, 'utf8')}`);
    const m = setupTlsMaterial({ caPath: dir, insecureSkipVerify: false });
    assert.equal(m.ca?.length, 1);
    assert.equal(setupTlsMaterial({ caFile: files.ca, caPath: '/nonexistent', insecureSkipVerify: false }).ca?.length, 1);
    writeFileSync(path.join(dir, 'README'), 'not a certificate\n');
    fails({ caPath: dir, insecureSkipVerify: false }, `Error loading CA Path: Couldn't parse PEM in: ${path.join(dir, 'README')}`);
  });

  it('loads a matching key pair and sends the whole certificate chain', () => {
    const m = setupTlsMaterial({ certFile: files.cliCert, keyFile: files.cliKey, insecureSkipVerify: false });
    assert.match(m.cert ?? '', /^-----BEGIN CERTIFICATE-----\n/);
    assert.match(m.key ?? '', /^-----BEGIN EC PRIVATE KEY-----\n/);
    fails({ certFile: files.cliCert, keyFile: files.otherCliKey, insecureSkipVerify: false }, 'tls: private key does not match public key');
  });
});

describe('TLS errors in Go’s words', () => {
  it('words host name mismatches for DNS names and IP addresses', () => {
    const cert = { subjectaltname: 'DNS:server.dc1.consul, DNS:localhost, IP Address:127.0.0.1' };
    assert.equal(
      tlsErrorText({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', host: 'other', cert }),
      'tls: failed to verify certificate: x509: certificate is valid for server.dc1.consul, localhost, not other',
    );
    assert.equal(
      tlsErrorText({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', host: '10.0.0.1', cert }),
      'tls: failed to verify certificate: x509: certificate is valid for 127.0.0.1, not 10.0.0.1',
    );
    assert.equal(
      tlsErrorText({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', host: '10.0.0.1', cert: { subjectaltname: 'DNS:cli.dc1.consul' } }),
      "tls: failed to verify certificate: x509: cannot validate certificate for 10.0.0.1 because it doesn't contain any IP SANs",
    );
    assert.equal(tlsErrorText({ code: 'ERR_SSL_WRONG_VERSION_NUMBER' }), 'http: server gave HTTP response to HTTPS client');
    assert.equal(tlsErrorText({ code: 'ECONNREFUSED' }), undefined);
  });
});
