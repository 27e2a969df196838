// The agent's TLS material and the node:tls options built from it, one set per protocol
// (internal RPC, HTTPS, gRPC), as Consul's tlsutil.Configurator does: certificates are read and
// checked once at start, with tlsutil's error texts, then every listener and dialer derives its
// options from the loaded state (Consul: tlsutil/config.go loadProtocolConfig, commonTLSConfig,
// IncomingHTTPSConfig, IncomingRPCConfig, wrapTLSClient).
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, createSecureContext, type ConnectionOptions, type TlsOptions } from 'node:tls';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SecureVersion } from 'node:tls';
import { goPathError } from '../support/go-errors.js';
import { AGENT_CIPHER_SUITES, type TlsProtocolRuntime, type TlsRuntime, type TlsVersion } from '../config/tls.js';

export class TlsConfigError extends Error {}

/** One protocol's loaded state (Consul: tlsutil protocolConfig). */
export interface LoadedProtocol {
  readonly settings: TlsProtocolRuntime;
  /** PEM cert chain and key, when both cert_file and key_file are set. */
  readonly cert: { readonly cert: string; readonly key: string } | undefined;
  /** The CA certificates from ca_file / ca_path (PEM, one entry per certificate). */
  readonly cas: readonly string[];
}

export interface AgentTls {
  readonly internalRpc: LoadedProtocol & { readonly verifyServerHostname: boolean };
  readonly https: LoadedProtocol;
  readonly grpc: LoadedProtocol;
}

/** Consul maps TLS_AUTO to Go's default minimum, TLS 1.2 for servers. */
const NODE_TLS_VERSION: Readonly<Record<TlsVersion, SecureVersion>> = {
  TLS_AUTO: 'TLSv1.2',
  TLSv1_0: 'TLSv1',
  TLSv1_1: 'TLSv1.1',
  TLSv1_2: 'TLSv1.2',
  TLSv1_3: 'TLSv1.3',
};

/** Go never lets TLS 1.3 suites be configured; OpenSSL needs them named to keep TLS 1.3 on. */
const TLS13_SUITES = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';

async function readPem(file: string, what: (err: unknown) => string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new TlsConfigError(what(err));
  }
}

/** tlsutil loadKeyPair: nothing unless both files are set. */
async function loadKeyPair(p: TlsProtocolRuntime): Promise<LoadedProtocol['cert']> {
  if (p.certFile === '' || p.keyFile === '') return undefined;
  const fail = (why: string): TlsConfigError => new TlsConfigError(`Failed to load cert/key pair: ${why}`);
  const cert = await readPem(p.certFile, (e) => fail(goPathError('open', p.certFile, e)).message);
  const key = await readPem(p.keyFile, (e) => fail(goPathError('open', p.keyFile, e)).message);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    // Go's tls.X509KeyPair words the common cases this way.
    const msg = (err as Error).message;
    if (/KEY_VALUES_MISMATCH|key values mismatch/i.test(msg)) throw fail('tls: private key does not match public key');
    if (!cert.includes('-----BEGIN CERTIFICATE-----')) throw fail('tls: failed to find any PEM data in certificate input');
    throw fail(`tls: failed to find any PEM data in key input`);
  }
  return { cert, key };
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Splits and parses a CA bundle; Go's pool.AppendCertsFromPEM failing is "failed to parse PEM". */
function parseCas(pem: string): string[] {
  const certs = pem.match(PEM_CERT) ?? [];
  if (certs.length === 0) throw new TlsConfigError(`failed to parse PEM ${pem}`);
  for (const c of certs) {
    try {
      new X509Certificate(c);
    } catch {
      throw new TlsConfigError(`failed to parse PEM ${pem}`);
    }
  }
  return certs.map((c) => `${c}\n`);
}

async function walkFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new TlsConfigError(goPathError('lstat', dir, err));
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walkFiles(full)));
    else out.push(full);
  }
  return out;
}

/** tlsutil LoadCAs: ca_file wins over ca_path; a ca_path with no files is an error. */
async function loadCas(p: TlsProtocolRuntime): Promise<string[]> {
  const files = p.caFile !== '' ? [p.caFile] : p.caPath !== '' ? await walkFiles(p.caPath) : [];
  if (p.caFile === '' && p.caPath !== '' && files.length === 0) throw new TlsConfigError('Error loading from CAPath: no CAs found');
  const cas: string[] = [];
  for (const f of files) {
    const pem = await readPem(f, (e) => `Error loading from ${f}: ${goPathError('open', f, e)}`);
    cas.push(...parseCas(pem));
  }
  return cas;
}

async function loadProtocol(p: TlsProtocolRuntime): Promise<LoadedProtocol> {
  const cert = await loadKeyPair(p);
  const cas = await loadCas(p);
  if (p.verifyIncoming) {
    if (cas.length === 0) throw new TlsConfigError('VerifyIncoming set but no CA certificates were provided');
    if (!cert) throw new TlsConfigError('VerifyIncoming requires either a Cert and Key pair in the configuration file, or auto_encrypt/auto_config be enabled');
  }
  if (p.verifyOutgoing && cas.length === 0) throw new TlsConfigError('VerifyOutgoing set but no CA certificates were provided');
  return { settings: p, cert, cas };
}

/** Reads every protocol's certificates (gRPC, HTTPS, then internal RPC, as tlsutil.Update). Throws TlsConfigError. */
export async function loadAgentTls(t: TlsRuntime): Promise<AgentTls> {
  const grpc = await loadProtocol(t.grpc);
  const https = await loadProtocol(t.https);
  const internalRpc = await loadProtocol(t.internalRpc);
  return { grpc, https, internalRpc: { ...internalRpc, verifyServerHostname: t.internalRpc.verifyServerHostname } };
}

function common(p: LoadedProtocol): Pick<TlsOptions, 'minVersion' | 'ciphers' | 'ca' | 'cert' | 'key'> {
  const out: Pick<TlsOptions, 'minVersion' | 'ciphers' | 'ca' | 'cert' | 'key'> = { minVersion: NODE_TLS_VERSION[p.settings.tlsMinVersion] };
  if (p.settings.cipherSuites.length > 0) {
    out.ciphers = `${TLS13_SUITES}:${p.settings.cipherSuites.map((s) => AGENT_CIPHER_SUITES[s]).join(':')}`;
  }
  if (p.cas.length > 0) out.ca = [...p.cas];
  if (p.cert) {
    out.cert = p.cert.cert;
    out.key = p.cert.key;
  }
  return out;
}

/**
 * Server-side options for a listener (HTTPS, or the RPC port after its TLS byte). With
 * verify_incoming a client must present a certificate signed by the CA; the handshake fails
 * otherwise (Go's RequireAndVerifyClientCert).
 */
export function incomingTlsOptions(p: LoadedProtocol): TlsOptions {
  return { ...common(p), requestCert: p.settings.verifyIncoming, rejectUnauthorized: p.settings.verifyIncoming };
}

/** True when this agent dials servers over TLS (verify_outgoing, implied by verify_server_hostname). */
export function outgoingRpcTlsEnabled(t: AgentTls): boolean {
  return t.internalRpc.settings.verifyOutgoing;
}

/**
 * Options for dialling a server's RPC port over TLS, per target datacenter (Consul:
 * wrapTLSClient): the chain is always checked against the CA; with verify_server_hostname the
 * certificate must also name `server.<dc>.<domain>`, otherwise any name is accepted. The secure
 * context (certificate, CA, versions, suites) is built once and shared by every dial.
 */
export function outgoingRpcTlsDialer(t: AgentTls, domain: string): (dc: string) => ConnectionOptions {
  const p = t.internalRpc;
  const secureContext = createSecureContext(common(p));
  const d = domain.replace(/\.$/, '');
  return (dc) => {
    if (!p.verifyServerHostname) return { secureContext, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    const name = `server.${dc}.${d}`;
    return { secureContext, rejectUnauthorized: true, servername: name, checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert) };
  };
}

/** outgoingRpcTlsDialer for one datacenter. */
export function outgoingRpcTlsOptions(t: AgentTls, dc: string, domain: string): ConnectionOptions {
  return outgoingRpcTlsDialer(t, domain)(dc);
}
