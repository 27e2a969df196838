// The agent's TLS configuration: the `tls { defaults, internal_rpc, https, grpc }` blocks, the
// deprecated top-level keys they replaced, and the per-protocol settings the listeners and the RPC
// dialer use (Consul: agent/config/builder.go buildTLSConfig, tlsVersion, tlsCipherSuites;
// agent/config/deprecated.go applyDeprecatedTLSConfig; types/tls.go). Certificates are read
// later, at agent start (core/tls/agent-tls.ts), as Consul's tlsutil does.
import { AGENT_CIPHER_SUITES, DeprecatedTlsKeysSchema, type DeprecatedTlsKeys, type TlsFileConfig, type TlsProtocolFile } from './tls-schema.js';
import { deprecationWarning } from './deprecated.js';
import { ConfigError } from './load.js';

export { AGENT_CIPHER_SUITES, DeprecatedTlsKeysSchema, mergeTlsBlocks, TlsSchema, type TlsFileConfig } from './tls-schema.js';

/** Consul's TLS versions (types.TLSVersion); TLS_AUTO lets the implementation choose. */
export type TlsVersion = 'TLS_AUTO' | 'TLSv1_0' | 'TLSv1_1' | 'TLSv1_2' | 'TLSv1_3';
const TLS_VERSIONS: readonly TlsVersion[] = ['TLS_AUTO', 'TLSv1_0', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3'];
/** types.DeprecatedConsulAgentTLSVersions: the pre-1.12 spellings, still read at the top level. */
const DEPRECATED_TLS_VERSIONS: Readonly<Record<string, TlsVersion>> = { tls10: 'TLSv1_0', tls11: 'TLSv1_1', tls12: 'TLSv1_2', tls13: 'TLSv1_3' };

/** One protocol's settings (Consul: tlsutil.ProtocolConfig). */
export interface TlsProtocolRuntime {
  caFile: string;
  caPath: string;
  certFile: string;
  keyFile: string;
  verifyIncoming: boolean;
  verifyOutgoing: boolean;
  tlsMinVersion: TlsVersion;
  /** IANA names; empty: the implementation's defaults. */
  cipherSuites: string[];
}

export interface TlsRuntime {
  internalRpc: TlsProtocolRuntime & { verifyServerHostname: boolean };
  https: TlsProtocolRuntime;
  grpc: TlsProtocolRuntime;
}

function tlsVersion(name: string, v: string | undefined): TlsVersion {
  // Consul's default source sets tls.defaults.tls_min_version = "TLSv1_2" (agent/config/default.go);
  // an explicit empty value is TLS_AUTO.
  if (v === undefined) return 'TLSv1_2';
  if (v === '') return 'TLS_AUTO';
  if ((TLS_VERSIONS as readonly string[]).includes(v)) return v as TlsVersion;
  const all = [...TLS_VERSIONS].sort().join(', ');
  throw new ConfigError(`${name}: invalid TLS version: no matching TLS version found for ${v}, please specify one of [${all}]`);
}

function cipherSuites(name: string, v: string | undefined, min: TlsVersion): string[] | undefined {
  if (v === undefined) return undefined;
  if (min === 'TLSv1_3') throw new ConfigError(`${name}: TLS 1.3 cipher suites are not configurable`);
  const text = v.trim();
  if (text === '') return [];
  const suites = text.split(',');
  const unmatched = suites.filter((s) => AGENT_CIPHER_SUITES[s] === undefined);
  if (unmatched.length > 0) {
    throw new ConfigError(`${name}: invalid TLS cipher suites: no matching Consul Agent TLS cipher suite found for ${unmatched.join(',')}`);
  }
  return suites;
}

/** The `tls` block as the agent runs with it (Consul: builder.go buildTLSConfig). */
export function buildTlsRuntime(t: TlsFileConfig | undefined): TlsRuntime {
  const d = t?.defaults ?? {};
  if (t?.grpc?.verify_outgoing !== undefined) throw new ConfigError('verify_outgoing is not valid in the tls.grpc stanza');
  if (d.verify_server_hostname !== undefined || t?.grpc?.verify_server_hostname !== undefined || t?.https?.verify_server_hostname !== undefined) {
    throw new ConfigError('verify_server_hostname is only valid in the tls.internal_rpc stanza');
  }
  if (d.use_auto_cert !== undefined || t?.https?.use_auto_cert !== undefined || t?.internal_rpc?.use_auto_cert !== undefined) {
    throw new ConfigError('use_auto_cert is only valid in the tls.grpc stanza');
  }
  const defaultMin = tlsVersion('tls.defaults.tls_min_version', d.tls_min_version);
  const defaultSuites = cipherSuites('tls.defaults.tls_cipher_suites', d.tls_cipher_suites, defaultMin);
  const common = (name: string, src: TlsProtocolFile | undefined): TlsProtocolRuntime => {
    const s = src ?? {};
    const min = s.tls_min_version === undefined ? defaultMin : tlsVersion(`tls.${name}.tls_min_version`, s.tls_min_version);
    // An inherited suite list that the protocol's own minimum version cannot use is dropped.
    const suites = s.tls_cipher_suites === undefined ? (min === 'TLSv1_3' ? undefined : defaultSuites) : cipherSuites(`tls.${name}.tls_cipher_suites`, s.tls_cipher_suites, min);
    return {
      caFile: s.ca_file ?? d.ca_file ?? '',
      caPath: s.ca_path ?? d.ca_path ?? '',
      certFile: s.cert_file ?? d.cert_file ?? '',
      keyFile: s.key_file ?? d.key_file ?? '',
      verifyIncoming: s.verify_incoming ?? d.verify_incoming ?? false,
      verifyOutgoing: name === 'grpc' ? false : (s.verify_outgoing ?? d.verify_outgoing ?? false),
      tlsMinVersion: min,
      cipherSuites: suites ?? [],
    };
  };
  const rpc = common('internal_rpc', t?.internal_rpc);
  const verifyServerHostname = t?.internal_rpc?.verify_server_hostname ?? false;
  // verify_server_hostname implies verify_outgoing, so RPC never falls back to plain TCP when
  // the operator asked for verified servers (Consul: CVE-2018-19653).
  rpc.verifyOutgoing = rpc.verifyOutgoing || verifyServerHostname;
  return { internalRpc: { ...rpc, verifyServerHostname }, https: common('https', t?.https), grpc: common('grpc', t?.grpc) };
}

/**
 * Moves the deprecated top-level TLS keys into the `tls` block unless the new key is set, with
 * Consul's warnings in its order (deprecated.go applyDeprecatedTLSConfig). The returned config
 * no longer holds the old keys.
 */
export function applyDeprecatedTlsConfig<T extends DeprecatedTlsKeys & { tls?: TlsFileConfig | undefined }>(f: T): { config: T; warnings: string[] } {
  const warnings: string[] = [];
  const config: T = { ...f };
  const tls: TlsFileConfig = { ...(f.tls ?? {}) };
  const defaults: TlsProtocolFile = { ...(tls.defaults ?? {}) };
  const internalRpc: TlsProtocolFile = { ...(tls.internal_rpc ?? {}) };
  const https: TlsProtocolFile = { ...(tls.https ?? {}) };
  const grpc: TlsProtocolFile = { ...(tls.grpc ?? {}) };
  let touched = false;
  const move = <K extends keyof TlsProtocolFile>(old: keyof DeprecatedTlsKeys, block: TlsProtocolFile, blockName: string, key: K): void => {
    const v = f[old];
    if (v === undefined) return;
    touched = true;
    if (block[key] === undefined) block[key] = v as TlsProtocolFile[K];
    warnings.push(deprecationWarning(old, `tls.${blockName}.${key}`));
  };
  move('ca_file', defaults, 'defaults', 'ca_file');
  move('ca_path', defaults, 'defaults', 'ca_path');
  move('cert_file', defaults, 'defaults', 'cert_file');
  move('key_file', defaults, 'defaults', 'key_file');
  move('tls_cipher_suites', defaults, 'defaults', 'tls_cipher_suites');
  if (f.tls_min_version !== undefined) {
    touched = true;
    if (defaults.tls_min_version === undefined) {
      const mapped = DEPRECATED_TLS_VERSIONS[f.tls_min_version];
      if (mapped !== undefined) warnings.push(`'tls_min_version' value '${f.tls_min_version}' is deprecated, please specify '${mapped}' instead`);
      defaults.tls_min_version = mapped ?? f.tls_min_version;
    }
    warnings.push(deprecationWarning('tls_min_version', 'tls.defaults.tls_min_version'));
  }
  if (f.verify_incoming !== undefined) {
    // Before Consul 1.12 the gRPC port never checked client certificates: the old key must not
    // start doing so through the defaults.
    if (grpc.verify_incoming === undefined) grpc.verify_incoming = false;
  }
  move('verify_incoming', defaults, 'defaults', 'verify_incoming');
  move('verify_incoming_https', https, 'https', 'verify_incoming');
  move('verify_incoming_rpc', internalRpc, 'internal_rpc', 'verify_incoming');
  move('verify_outgoing', defaults, 'defaults', 'verify_outgoing');
  move('verify_server_hostname', internalRpc, 'internal_rpc', 'verify_server_hostname');
  if (f.tls_prefer_server_cipher_suites !== undefined) {
    touched = true;
    warnings.push("The 'tls_prefer_server_cipher_suites' field is deprecated and will be ignored.");
  }
  for (const k of Object.keys(DeprecatedTlsKeysSchema)) delete (config as Record<string, unknown>)[k];
  if (touched) {
    const blocks: [keyof TlsFileConfig, TlsProtocolFile][] = [
      ['defaults', defaults],
      ['internal_rpc', internalRpc],
      ['https', https],
      ['grpc', grpc],
    ];
    for (const [name, block] of blocks) if (Object.keys(block).length > 0) tls[name] = block;
    config.tls = tls;
  }
  return { config, warnings };
}
