// The zod shapes of the `tls` block and of the deprecated top-level TLS keys, and Consul's agent
// cipher suites. Imports nothing of the config loader, so schema.ts can use it without a cycle
// (the rules that read these values live in tls.ts).
import { z } from 'zod';

const TlsProtocolSchema = z
  .strictObject({
    ca_file: z.string(),
    ca_path: z.string(),
    cert_file: z.string(),
    key_file: z.string(),
    tls_min_version: z.string(),
    tls_cipher_suites: z.string(),
    verify_incoming: z.boolean(),
    verify_outgoing: z.boolean(),
    verify_server_hostname: z.boolean(),
    use_auto_cert: z.boolean(),
  })
  .partial();

export const TlsSchema = z
  .strictObject({
    defaults: TlsProtocolSchema,
    internal_rpc: TlsProtocolSchema,
    https: TlsProtocolSchema,
    grpc: TlsProtocolSchema,
  })
  .partial();

export type TlsFileConfig = z.infer<typeof TlsSchema>;
export type TlsProtocolFile = z.infer<typeof TlsProtocolSchema>;

/** The deprecated top-level keys (Consul: DeprecatedConfig, the "DEPRECATED(TLS)" fields). */
export const DeprecatedTlsKeysSchema = {
  ca_file: z.string(),
  ca_path: z.string(),
  cert_file: z.string(),
  key_file: z.string(),
  tls_cipher_suites: z.string(),
  tls_min_version: z.string(),
  verify_incoming: z.boolean(),
  verify_incoming_https: z.boolean(),
  verify_incoming_rpc: z.boolean(),
  verify_outgoing: z.boolean(),
  verify_server_hostname: z.boolean(),
  tls_prefer_server_cipher_suites: z.boolean(),
};

export type DeprecatedTlsKeys = { [K in keyof typeof DeprecatedTlsKeysSchema]?: z.infer<(typeof DeprecatedTlsKeysSchema)[K]> };

/** types.consulAgentTLSCipherSuites: the TLS 1.2 suites the agent accepts, by IANA name. */
export const AGENT_CIPHER_SUITES: Readonly<Record<string, string>> = {
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
};

/** `tls` blocks from several files merge key by key inside each block, as Consul's do. */
export function mergeTlsBlocks(a: TlsFileConfig | undefined, b: TlsFileConfig): TlsFileConfig {
  const out: TlsFileConfig = { ...(a ?? {}) };
  for (const [k, v] of Object.entries(b) as [keyof TlsFileConfig, TlsProtocolFile | undefined][]) {
    if (v !== undefined) out[k] = { ...(out[k] ?? {}), ...v };
  }
  return out;
}
