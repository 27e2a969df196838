// Test certificates made with the openssl CLI, laid out as `consul tls ca create` / `cert create`
// would: an agent CA, server certificates naming server.<dc>.<domain> (plus localhost and
// 127.0.0.1), a client certificate, and a second CA with a certificate the first does not trust.
// EC P-256 keys, as Consul's.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpDir } from './tmp-dir.js';

export interface CertPair {
  readonly cert: string;
  readonly key: string;
}

export interface TestCerts {
  readonly dir: string;
  readonly caFile: string;
  /** server.dc1.consul, localhost, 127.0.0.1 */
  readonly server: CertPair;
  /** client.dc1.consul, localhost, 127.0.0.1 */
  readonly client: CertPair;
  /** server.dc2.consul: valid chain, wrong name for dc1 */
  readonly otherDcServer: CertPair;
  /** Signed by a CA the agents do not trust. */
  readonly untrusted: CertPair;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): CertPair {
  const key = path.join(dir, `${name}-key.pem`);
  const cert = path.join(dir, `${name}.pem`);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], dir);
  openssl(['req', '-x509', '-new', '-key', key, '-sha256', '-days', '30', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature', '-out', cert], dir);
  return { cert, key };
}

function makeLeaf(dir: string, name: string, ca: CertPair, dnsNames: string[]): CertPair {
  const key = path.join(dir, `${name}-key.pem`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.pem`);
  const ext = path.join(dir, `${name}.ext`);
  writeFileSync(
    ext,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      `subjectAltName=${[...dnsNames.map((d) => `DNS:${d}`), 'IP:127.0.0.1'].join(',')}`,
      '',
    ].join('\n'),
  );
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], dir);
  openssl(['req', '-new', '-key', key, '-subj', `/CN=${dnsNames[0] ?? name}`, '-out', csr], dir);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', '30', '-sha256', '-extfile', ext, '-out', cert], dir);
  return { cert, key };
}

export function makeTestCerts(): TestCerts {
  const tmp = tmpDir('consul-ts-tls-');
  const dir = tmp.path;
  const ca = makeCa(dir, 'consul-agent-ca');
  const other = makeCa(dir, 'other-ca');
  return {
    dir,
    caFile: ca.cert,
    server: makeLeaf(dir, 'dc1-server-consul-0', ca, ['server.dc1.consul', 'localhost']),
    client: makeLeaf(dir, 'dc1-client-consul-0', ca, ['client.dc1.consul', 'localhost']),
    otherDcServer: makeLeaf(dir, 'dc2-server-consul-0', ca, ['server.dc2.consul', 'localhost']),
    untrusted: makeLeaf(dir, 'untrusted-0', other, ['server.dc1.consul', 'localhost']),
    remove: () => tmp.remove(),
  };
}
