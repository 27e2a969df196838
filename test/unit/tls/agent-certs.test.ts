import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  generateAgentCa,
  generateAgentCert,
  matchDomainConstraint,
  parseSigner,
  pemEncode,
  SignerError,
  verifyAgentCert,
} from '../../../src/core/tls/index.js';

describe('agent certificates (tlsutil)', () => {
  it('parseSigner words bad keys as connect.ParseSigner does', async () => {
    await assert.rejects(parseSigner('nothing here'), (e: unknown) => e instanceof SignerError && e.message === 'no PEM-encoded data found');
    await assert.rejects(
      parseSigner(pemEncode('CERTIFICATE', Buffer.from('abc'))),
      (e: unknown) => e instanceof SignerError && e.message === 'unknown PEM block type for signing key: CERTIFICATE',
    );
    await assert.rejects(parseSigner(pemEncode('EC PRIVATE KEY', Buffer.from('abc'))), { message: 'x509: failed to parse EC private key' });
  });

  it('matches DNS name constraints as Go does', () => {
    assert.ok(matchDomainConstraint('server.dc1.consul', 'consul'));
    assert.ok(matchDomainConstraint('consul', 'consul'));
    assert.ok(matchDomainConstraint('LocalHost', 'localhost'));
    assert.ok(!matchDomainConstraint('notconsul', 'consul'));
    assert.ok(!matchDomainConstraint('consul', '.consul'));
    assert.ok(matchDomainConstraint('a.consul', '.consul'));
  });

  it('verifies validity, then the host name, then the chain', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const ca = await generateAgentCa({ days: 10, domain: 'consul', permittedDnsDomains: [], clusterId: '', commonName: '', now });
    const signer = await parseSigner(ca.keyPem);
    const opts = { signer, caPem: ca.certPem, name: 'server.dc1.consul', days: 1, dnsNames: ['server.dc1.consul', 'localhost'], ipAddresses: ['127.0.0.1'], extKeyUsage: ['serverAuth' as const], now };
    const leaf = await generateAgentCert(opts);
    assert.equal(verifyAgentCert(ca.certPem, leaf.certPem, 'server.dc1.consul', new Date('2030-01-01T01:00:00Z')), undefined);
    assert.equal(
      verifyAgentCert(ca.certPem, leaf.certPem, 'server.dc1.consul', new Date('2029-12-31T00:00:00Z')),
      'x509: certificate has expired or is not yet valid: current time 2029-12-31T00:00:00Z is before 2030-01-01T00:00:00Z',
    );
    assert.equal(
      verifyAgentCert(ca.certPem, leaf.certPem, 'other.dc1.consul', new Date('2030-01-01T01:00:00Z')),
      'x509: certificate is valid for server.dc1.consul, localhost, not other.dc1.consul',
    );
    const otherCa = await generateAgentCa({ days: 10, domain: 'consul', permittedDnsDomains: [], clusterId: '', commonName: '', now });
    assert.equal(verifyAgentCert(otherCa.certPem, leaf.certPem, 'server.dc1.consul', new Date('2030-01-01T01:00:00Z')), 'x509: certificate signed by unknown authority');
    assert.equal(verifyAgentCert('junk', leaf.certPem, 'server.dc1.consul'), 'failed to parse root certificate');
    assert.equal(verifyAgentCert(ca.certPem, 'junk', 'server.dc1.consul'), 'failed to parse certificate');
  });

  it('a CA with -days 0 lasts 365 days, as tlsutil.GenerateCA defaults', async () => {
    const { X509Certificate } = await import('node:crypto');
    const ca = await generateAgentCa({ days: 0, domain: 'consul', permittedDnsDomains: [], clusterId: '', commonName: '' });
    const c = new X509Certificate(ca.certPem);
    assert.equal(Math.round((Date.parse(c.validTo) - Date.parse(c.validFrom)) / 86_400_000), 365);
  });
});
