// The client side of TLS, as Consul's api.SetupTLSConfig builds it: the server name for SNI and
// verification (-tls-server-name, port stripped), the client certificate pair (tls.LoadX509KeyPair)
// and the trusted roots (go-rootcerts: the CA file wins over the CA directory). Everything is read
// and checked when the client is built, so a bad file is reported before any request is sent, in
// Go's words ("Error connecting to Consul agent: Error loading CA File: ..."), never as a Node stack.
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pemBlocks, pemEncode } from '../tls/pem.js';
import { ClientConfigError, describeFsError } from './errors.js';

/** The TLS settings of api.TLSConfig. */
export interface TlsSettings {
  caFile?: string;
  caPath?: string;
  certFile?: string;
  keyFile?: string;
  /** api.TLSConfig.Address: SNI host and the name the server certificate must carry. */
  serverName?: string;
  insecureSkipVerify: boolean;
}

/** What a TLS connection needs, in Node's tls.connect terms (rejectUnauthorized is applied later). */
export interface TlsMaterial {
  /** Trusted roots as PEM; undefined means the system roots. */
  ca?: string[];
  cert?: string;
  key?: string;
  servername?: string;
}

/** net.SplitHostPort's host for an address with a port; Go's errors for malformed ones. */
function hostOf(address: string): string {
  const hasPort = address.lastIndexOf(':') > address.lastIndexOf(']');
  if (!hasPort) return address;
  const colon = address.lastIndexOf(':');
  let host = address.slice(0, colon);
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end !== host.length - 1) throw new ClientConfigError(`address ${address}: missing ']' in address`);
    host = host.slice(1, end);
  } else if (host.includes(':')) {
    throw new ClientConfigError(`address ${address}: too many colons in address`);
  }
  return host;
}

/** x509.CertPool.AppendCertsFromPEM: the CERTIFICATE blocks that parse, re-encoded as PEM. */
function certsFromPem(text: string): string[] {
  const out: string[] = [];
  for (const b of pemBlocks(text)) {
    if (b.type !== 'CERTIFICATE') continue;
    try {
      new X509Certificate(b.bytes);
      out.push(pemEncode('CERTIFICATE', b.bytes));
    } catch {
      // Go skips certificates that do not parse
    }
  }
  return out;
}

function loadCaFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (err) {
    throw new ClientConfigError(`Error loading CA File: ${describeFsError(err, file)}`);
  }
  const certs = certsFromPem(text);
  if (certs.length === 0) throw new ClientConfigError(`Error loading CA File: Couldn't parse PEM in: ${file}`);
  return certs;
}

/** go-rootcerts LoadCAPath: every file under the directory (filepath.Walk, lexical order) must hold a certificate. */
function loadCaPath(root: string): string[] {
  const certs: string[] = [];
  const walk = (path: string): void => {
    let isDir: boolean;
    try {
      isDir = lstatSync(path).isDirectory();
    } catch (err) {
      throw new ClientConfigError(describeFsError(err, path).replace(/^open /, 'lstat '));
    }
    if (isDir) {
      for (const name of readdirSync(path).sort()) walk(join(path, name));
      return;
    }
    let text: string;
    try {
      text = readFileSync(path, 'latin1');
    } catch (err) {
      throw new ClientConfigError(`Error loading file from CAPath: ${describeFsError(err, path)}`);
    }
    const found = certsFromPem(text);
    if (found.length === 0) throw new ClientConfigError(`Error loading CA Path: Couldn't parse PEM in: ${path}`);
    certs.push(...found);
  };
  walk(root);
  return certs;
}

function readPemFile(file: string): string {
  try {
    return readFileSync(file, 'latin1');
  } catch (err) {
    throw new ClientConfigError(describeFsError(err, file));
  }
}

/** Go's tls.X509KeyPair checks, with its error texts; returns the PEM Node should load. */
function x509KeyPair(certText: string, keyText: string): { cert: string; key: string } {
  const certBlocks = pemBlocks(certText);
  const certs = certBlocks.filter((b) => b.type === 'CERTIFICATE');
  if (certs.length === 0) {
    if (certBlocks.length === 0) throw new ClientConfigError('tls: failed to find any PEM data in certificate input');
    const skipped = certBlocks.map((b) => b.type).join(' ');
    throw new ClientConfigError(`tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the following types: [${skipped}]`);
  }
  const keyBlocks = pemBlocks(keyText);
  const keyBlock = keyBlocks.find((b) => b.type === 'PRIVATE KEY' || b.type.endsWith(' PRIVATE KEY'));
  if (!keyBlock) {
    if (keyBlocks.length === 0) throw new ClientConfigError('tls: failed to find any PEM data in key input');
    if (keyBlocks.every((b) => b.type === 'CERTIFICATE')) throw new ClientConfigError('tls: found a certificate rather than a key in the PEM for the private key');
    const skipped = keyBlocks.map((b) => b.type).join(' ');
    throw new ClientConfigError(`tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping PEM blocks of the following types: [${skipped}]`);
  }
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certs[0]!.bytes);
  } catch {
    throw new ClientConfigError('x509: malformed certificate');
  }
  let key: KeyObject;
  const keyPem = pemEncode(keyBlock.type, keyBlock.bytes);
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new ClientConfigError('tls: failed to parse private key');
  }
  const pub = leaf.publicKey;
  if (pub.asymmetricKeyType !== key.asymmetricKeyType) throw new ClientConfigError('tls: private key type does not match public key type');
  const fromKey = createPublicKey(key).export({ format: 'der', type: 'spki' });
  if (!fromKey.equals(pub.export({ format: 'der', type: 'spki' }))) throw new ClientConfigError('tls: private key does not match public key');
  return { cert: certs.map((b) => pemEncode('CERTIFICATE', b.bytes)).join(''), key: keyPem };
}

/** api.SetupTLSConfig: read and check every TLS file now. Throws ClientConfigError. */
export function setupTlsMaterial(t: TlsSettings): TlsMaterial {
  const m: TlsMaterial = {};
  if (t.serverName) m.servername = hostOf(t.serverName);
  if (t.certFile && t.keyFile) {
    const pair = x509KeyPair(readPemFile(t.certFile), readPemFile(t.keyFile));
    m.cert = pair.cert;
    m.key = pair.key;
  } else if (t.certFile || t.keyFile) {
    throw new ClientConfigError('both client cert and client key must be provided');
  }
  if (t.caFile) m.ca = loadCaFile(t.caFile);
  else if (t.caPath) m.ca = loadCaPath(t.caPath);
  return m;
}
