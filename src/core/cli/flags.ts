// The shared flags of command/flags/http.go, declared once for every command that talks to an agent.
// helpGroup puts them under "HTTP API Options" in `-h` output, like Consul's usage.go.
import { Flags } from '@oclif/core';
import { HTTP_API_OPTIONS } from './help.js';

const group = { helpGroup: HTTP_API_OPTIONS } as const;

/** ClientFlags(): where the agent is and how to authenticate. */
export const clientFlags = {
  'http-addr': Flags.string({
    ...group,
    helpValue: 'address',
    description:
      'The `address` and port of the Consul HTTP agent. The value can be an IP address or DNS address, but it must also include the port. This can also be specified via the CONSUL_HTTP_ADDR environment variable. The default value is http://127.0.0.1:8500. The scheme can also be set to HTTPS by setting the environment variable CONSUL_HTTP_SSL=true.',
  }),
  token: Flags.string({
    ...group,
    description:
      'ACL token to use in the request. This can also be specified via the CONSUL_HTTP_TOKEN environment variable. If unspecified, the query will default to the token of the Consul agent at the HTTP address.',
  }),
  'token-file': Flags.string({
    ...group,
    description:
      'File containing the ACL token to use in the request instead of one specified via the -token argument or CONSUL_HTTP_TOKEN environment variable. This can also be specified via the CONSUL_HTTP_TOKEN_FILE environment variable.',
  }),
  'ca-file': Flags.string({
    ...group,
    description:
      'Path to a CA file to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CACERT environment variable.',
  }),
  'ca-path': Flags.string({
    ...group,
    description:
      'Path to a directory of CA certificates to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CAPATH environment variable.',
  }),
  'client-cert': Flags.string({
    ...group,
    description:
      "Path to a client cert file to use for TLS when 'verify_incoming' is enabled. This can also be specified via the CONSUL_CLIENT_CERT environment variable.",
  }),
  'client-key': Flags.string({
    ...group,
    description:
      "Path to a client key file to use for TLS when 'verify_incoming' is enabled. This can also be specified via the CONSUL_CLIENT_KEY environment variable.",
  }),
  'tls-server-name': Flags.string({
    ...group,
    description:
      'The server name to use as the SNI host when connecting via TLS. This can also be specified via the CONSUL_TLS_SERVER_NAME environment variable.',
  }),
};

/** ServerFlags(): which datacenter answers, and whether a stale answer is fine. */
export const serverFlags = {
  datacenter: Flags.string({
    ...group,
    description: 'Name of the datacenter to query. If unspecified, this will default to the datacenter of the queried agent.',
  }),
  stale: Flags.boolean({
    ...group,
    description:
      'Permit any Consul server (non-leader) to respond to this request. This allows for lower latency and higher throughput, but can result in stale data. This option has no effect on non-read operations. The default value is false.',
  }),
};

/** Go's Uint64Var: a non-negative integer; a bad value becomes `invalid value ... parse error`. */
export function uintFlag(description: string, defaultValue = 0) {
  return Flags.integer({ description, default: defaultValue, min: 0, helpValue: 'uint' });
}

export function intFlag(description: string, defaultValue = 0) {
  return Flags.integer({ description, default: defaultValue, helpValue: 'int' });
}

export function stringFlag(description: string, defaultValue?: string) {
  return defaultValue === undefined
    ? Flags.string({ description, helpValue: 'string' })
    : Flags.string({ description, default: defaultValue, helpValue: 'string' });
}

export function boolFlag(description: string) {
  return Flags.boolean({ description, default: false });
}
