import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { CaError, generateRoot, signServiceCsr, validateCaConfig } from '../../../src/core/connect/ca-provider.js';
import { certInfo, createCsr, generateEcKey } from '../../../src/core/tls/index.js';

const run = promisify(execFile);
const CLUSTER = '11111111-2222-3333-4444-555555555555';
const TD = `${CLUSTER}.consul`;

async function csrFor(uri: string): Promise<string> {
  return createCsr(await generateEcKey(), uri);
}

async function opensslVerify(caPems: string[], leafPem: string, extraChain = ''): Promise<{ ok: boolean; out: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ca-test-'));
  try {
    await writeFile(path.join(dir, 'ca.pem'), caPems.join(''));
    await writeFile(path.join(dir, 'leaf.pem'), leafPem);
    const args = ['verify', '-CAfile', path.join(dir, 'ca.pem')];
    if (extraChain) {
      await writeFile(path.join(dir, 'chain.pem'), extraChain);
      args.push('-untrusted', path.join(dir, 'chain.pem'));
    }
    args.push(path.join(dir, 'leaf.pem'));
    try {
      const { stdout } = await run('openssl', args);
      return { ok: true, out: stdout };
    } catch (e) {
      return { ok: false, out: String((e as { stdout?: string }).stdout ?? e) };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the root is an EC P-256 CA for the trust domain, and a signed leaf passes openssl verify', async () => {
  const now = new Date();
  const root = await generateRoot(CLUSTER, TD, now);
  assert.equal(root.Active, true);
  assert.equal(root.PrivateKeyType, 'ec');
  assert.equal(root.PrivateKeyBits, 256);
  assert.deepEqual(certInfo(root.RootCert).uris, [`spiffe://${TD}`]);
  const years = (Date.parse(root.NotAfter) - Date.parse(root.NotBefore)) / (365.25 * 86400_000);
  assert.ok(years > 9.9 && years < 10.1, `root validity ${years}y`);
  const leaf = await signServiceCsr(root, { csrPem: await csrFor(`spiffe://${TD}/ns/default/dc/dc1/svc/web`), trustDomain: TD, datacenter: 'dc1', ttlMs: 72 * 3600_000, now });
  assert.equal(leaf.Service, 'web');
  assert.equal(leaf.ServiceURI, `spiffe://${TD}/ns/default/dc/dc1/svc/web`);
  assert.deepEqual(certInfo(leaf.CertPEM).uris, [leaf.ServiceURI]);
  assert.equal(Date.parse(leaf.ValidBefore) - now.getTime(), 72 * 3600_000 - (now.getTime() % 1000));
  const v = await opensslVerify([root.RootCert], leaf.CertPEM);
  assert.ok(v.ok, v.out);
  // And a leaf is not accepted under a CA it does not chain to.
  const other = await generateRoot(CLUSTER, TD, now);
  assert.equal((await opensslVerify([other.RootCert], leaf.CertPEM)).ok, false);
});

test('CSRs for another trust domain or datacenter, non-service IDs and garbage are refused with Consul\'s texts', async () => {
  const root = await generateRoot(CLUSTER, TD, new Date());
  const sign = async (csrPem: string) => signServiceCsr(root, { csrPem, trustDomain: TD, datacenter: 'dc1', ttlMs: 3600_000, now: new Date() });
  await assert.rejects(sign(await csrFor('spiffe://other.consul/ns/default/dc/dc1/svc/web')), new CaError('SPIFFE ID in CSR from a different trust domain'));
  await assert.rejects(sign(await csrFor(`spiffe://${TD}/ns/default/dc/dc2/svc/web`)), new CaError('SPIFFE ID in CSR from a different datacenter'));
  await assert.rejects(sign(await csrFor(`spiffe://${TD}`)), new CaError('SPIFFE ID in CSR must be a service or agent ID'));
  await assert.rejects(sign('-----BEGIN CERTIFICATE REQUEST-----\nnope\n-----END CERTIFICATE REQUEST-----\n'), CaError);
});

test('a rotated root is cross-signed by the old one: new leaves verify under the old root with the cross-signed copy', async () => {
  const now = new Date();
  const oldRoot = await generateRoot(CLUSTER, TD, now);
  const newRoot = await generateRoot(CLUSTER, TD, now, undefined, oldRoot);
  assert.ok(newRoot.SigningCert, 'the new root carries its cross-signed copy');
  const leaf = await signServiceCsr(newRoot, { csrPem: await csrFor(`spiffe://${TD}/ns/default/dc/dc1/svc/db`), trustDomain: TD, datacenter: 'dc1', ttlMs: 3600_000, now });
  const leafOnly = leaf.CertPEM.slice(0, leaf.CertPEM.indexOf('-----END CERTIFICATE-----') + 26);
  assert.ok((await opensslVerify([newRoot.RootCert], leafOnly)).ok, 'verifies under the new root');
  const viaOld = await opensslVerify([oldRoot.RootCert], leafOnly, newRoot.SigningCert);
  assert.ok(viaOld.ok, viaOld.out);
});

test('set-config key settings are validated before anything changes', () => {
  assert.throws(() => validateCaConfig({ PrivateKeyType: 'dsa' }), new CaError("private key type must be either 'ec' or 'rsa'"));
  assert.throws(() => validateCaConfig({ PrivateKeyType: 'ec', PrivateKeyBits: 255 }), new CaError('EC key length must be one of (224, 256, 384, 521) bits'));
  assert.throws(() => validateCaConfig({ PrivateKeyType: 'rsa', PrivateKeyBits: 1024 }), new CaError('RSA key length must be 2048 or 4096 bits'));
  validateCaConfig({ PrivateKeyType: 'ec', PrivateKeyBits: 256 });
});
