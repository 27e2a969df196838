// Where and how the CLI reaches the agent: flags first, then the CONSUL_* environment, then
// Consul's defaults (api.DefaultConfig + command/flags HTTPFlags.MergeOntoConfig + api.NewClient).
import { readFileSync } from 'node:fs';
import { ClientConfigError, describeFsError } from './errors.js';
import { setupTlsMaterial, type TlsMaterial, type TlsSettings } from './tls.js';

/** Values from the shared HTTP flags; undefined means "not given on the command line". */
export interface HttpFlagValues {
  'http-addr'?: string;
  token?: string;
  'token-file'?: string;
  'ca-file'?: string;
  'ca-path'?: string;
  'client-cert'?: string;
  'client-key'?: string;
  'tls-server-name'?: string;
  datacenter?: string;
}

export interface ClientConfig {
  scheme: 'http' | 'https';
  /** host:port as it appears in URLs (for unix sockets: the socket path). */
  address: string;
  /** Set for unix:// addresses. */
  socketPath?: string;
  /** Reverse-proxy prefix from an address like http://host:8500/consul. */
  pathPrefix: string;
  token: string;
  datacenter: string;
  basicAuth?: { username: string; password: string };
  tls: TlsSettings;
  /**
   * The files of `tls`, read and checked when the config was resolved (api.SetupTLSConfig);
   * configs built by hand (the agent's own client) leave it out and get it read on first connect.
   */
  tlsMaterial?: TlsMaterial;
}

export const DEFAULT_ADDRESS = '127.0.0.1:8500';

/** Go's strconv.ParseBool; undefined for anything else. */
function parseGoBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

/** hclog's default line, as api.DefaultConfig's "consul-api" logger writes it to stderr. */
function apiWarning(message: string, value: string): string {
  const time = new Date().toISOString();
  // hclog quotes a value with spaces or quotes (strconv.Quote), so the inner quotes are escaped.
  const err = `strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`;
  return `${time} [WARN]  consul-api: ${message}: error=${JSON.stringify(err)}\n`;
}

/**
 * An env var read as api.DefaultConfig does: unset or empty is undefined; a value ParseBool refuses
 * is logged and read as false (so a bad CONSUL_HTTP_SSL_VERIFY turns verification off, as in Go).
 */
function envBool(name: string, env: NodeJS.ProcessEnv, warn: (line: string) => void): boolean | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const b = parseGoBool(v);
  if (b !== undefined) return b;
  // The CLI builds api.DefaultConfig twice (HTTPFlags.APIClient, then api.NewClient): two lines.
  warn(apiWarning(`could not parse ${name}`, v));
  warn(apiWarning(`could not parse ${name}`, v));
  return false;
}

function nonEmpty(...values: Array<string | undefined>): string | undefined {
  return values.find((v) => v !== undefined && v !== '');
}

/** Build the client configuration. Throws ClientConfigError with Consul's wording. */
export function resolveClientConfig(
  flags: HttpFlagValues,
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = (line) => void process.stderr.write(line),
): ClientConfig {
  const ssl = envBool('CONSUL_HTTP_SSL', env, warn) === true;
  const cfg: ClientConfig = {
    scheme: ssl ? 'https' : 'http',
    address: nonEmpty(flags['http-addr'], env.CONSUL_HTTP_ADDR) ?? DEFAULT_ADDRESS,
    pathPrefix: '',
    token: nonEmpty(flags.token, env.CONSUL_HTTP_TOKEN) ?? '',
    datacenter: flags.datacenter ?? '',
    tls: {
      caFile: nonEmpty(flags['ca-file'], env.CONSUL_CACERT),
      caPath: nonEmpty(flags['ca-path'], env.CONSUL_CAPATH),
      certFile: nonEmpty(flags['client-cert'], env.CONSUL_CLIENT_CERT),
      keyFile: nonEmpty(flags['client-key'], env.CONSUL_CLIENT_KEY),
      serverName: nonEmpty(flags['tls-server-name'], env.CONSUL_TLS_SERVER_NAME),
      insecureSkipVerify: envBool('CONSUL_HTTP_SSL_VERIFY', env, warn) === false,
    },
  };
  const auth = env.CONSUL_HTTP_AUTH;
  if (auth) {
    const colon = auth.indexOf(':');
    cfg.basicAuth =
      colon >= 0 ? { username: auth.slice(0, colon), password: auth.slice(colon + 1) } : { username: auth, password: '' };
  }
  // api.NewClient sets up TLS before it looks at the address scheme, for http:// too.
  cfg.tlsMaterial = setupTlsMaterial(cfg.tls);
  applyAddressScheme(cfg);
  // Go's StringValue.Merge: a flag given on the command line replaces the variable even when
  // empty, so `-token-file=` turns off CONSUL_HTTP_TOKEN_FILE.
  const tokenFile = flags['token-file'] !== undefined ? flags['token-file'] : env.CONSUL_HTTP_TOKEN_FILE;
  if (tokenFile !== undefined && tokenFile !== '') {
    // Consul: a token file always wins over a token, and is re-read by every client.
    let data: string;
    try {
      data = readFileSync(tokenFile, 'utf8');
    } catch (err) {
      throw new ClientConfigError(`Error loading token file: ${describeFsError(err, tokenFile)}`);
    }
    if (data.trim() !== '') cfg.token = data.trim();
  }
  return cfg;
}

function applyAddressScheme(cfg: ClientConfig): void {
  const sep = cfg.address.indexOf('://');
  if (sep < 0) return;
  const scheme = cfg.address.slice(0, sep);
  const rest = cfg.address.slice(sep + 3);
  switch (scheme) {
    case 'http':
      break; // never downgrade when CONSUL_HTTP_SSL asked for TLS
    case 'https':
      cfg.scheme = 'https';
      break;
    case 'unix':
      cfg.socketPath = rest;
      break;
    default:
      throw new ClientConfigError(`Unknown protocol scheme: ${scheme}`);
  }
  cfg.address = rest;
  if (scheme === 'http' || scheme === 'https') {
    const slash = rest.indexOf('/');
    if (slash >= 0) {
      cfg.address = rest.slice(0, slash);
      cfg.pathPrefix = `/${rest.slice(slash + 1)}`.replace(/\/+$/, '');
    }
  }
}
