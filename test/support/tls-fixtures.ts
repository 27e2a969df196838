// TLS fixtures for client tests: a CA and server/cli certificates made by our own `consul tls`
// code (src/core/tls), written to a temp dir, and an HTTPS server that, like an agent with
// verify_incoming, refuses clients without a certificate from that CA.
import { writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { generateAgentCa, generateAgentCert, parseSigner } from '../../src/core/tls/index.js';
import { tmpDir } from './tmp-dir.js';

export interface TlsFiles {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  cliCert: string;
  cliKey: string;
  /** A second CA and a cli certificate from it: valid, but not trusted by the server. */
  otherCa: string;
  otherCliCert: string;
  otherCliKey: string;
  remove(): void;
}

export async function makeTlsFiles(): Promise<TlsFiles> {
  const tmp = tmpDir('consul-tls-client-');
  const file = (name: string, text: string): string => {
    const p = path.join(tmp.path, name);
    writeFileSync(p, text);
    return p;
  };
  const caOpts = { days: 1, domain: 'consul', permittedDnsDomains: [], clusterId: '', commonName: '' };
  const ca = await generateAgentCa(caOpts);
  const signer = await parseSigner(ca.keyPem);
  const server = await generateAgentCert({
    signer,
    caPem: ca.certPem,
    name: 'server.dc1.consul',
    days: 1,
    dnsNames: ['server.dc1.consul', 'localhost'],
    ipAddresses: ['127.0.0.1'],
    extKeyUsage: ['serverAuth', 'clientAuth'],
  });
  const cli = await generateAgentCert({ signer, caPem: ca.certPem, name: 'cli.dc1.consul', days: 1, dnsNames: ['cli.dc1.consul', 'localhost'], ipAddresses: [], extKeyUsage: [] });
  const other = await generateAgentCa(caOpts);
  const otherCli = await generateAgentCert({
    signer: await parseSigner(other.keyPem),
    caPem: other.certPem,
    name: 'cli.dc1.consul',
    days: 1,
    dnsNames: ['cli.dc1.consul'],
    ipAddresses: [],
    extKeyUsage: [],
  });
  return {
    dir: tmp.path,
    ca: file('consul-agent-ca.pem', ca.certPem),
    serverCert: file('dc1-server-consul-0.pem', server.certPem),
    serverKey: file('dc1-server-consul-0-key.pem', server.keyPem),
    cliCert: file('dc1-cli-consul-0.pem', cli.certPem),
    cliKey: file('dc1-cli-consul-0-key.pem', cli.keyPem),
    otherCa: file('other-ca.pem', other.certPem),
    otherCliCert: file('other-cli.pem', otherCli.certPem),
    otherCliKey: file('other-cli-key.pem', otherCli.keyPem),
    remove: () => tmp.remove(),
  };
}

export interface HttpsAgentStub {
  address: string;
  /** Paths requested by clients that got through the handshake. */
  seen: string[];
  close(): Promise<void>;
}

/** An HTTPS server answering /v1/kv/<key> with one KV entry, requiring a client certificate. */
export async function startHttpsAgentStub(files: TlsFiles): Promise<HttpsAgentStub> {
  const { readFileSync } = await import('node:fs');
  const seen: string[] = [];
  const server = https.createServer(
    {
      cert: readFileSync(files.serverCert),
      key: readFileSync(files.serverKey),
      ca: readFileSync(files.ca),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      seen.push(req.url ?? '');
      const key = decodeURIComponent((req.url ?? '').replace(/^\/v1\/kv\//, '').replace(/\?.*$/, ''));
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Consul-Index', '7');
      res.end(JSON.stringify([{ Key: key, Value: Buffer.from('hello over tls').toString('base64'), Flags: 0, CreateIndex: 7, ModifyIndex: 7, LockIndex: 0 }]));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
