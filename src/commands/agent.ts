import { Flags } from '@oclif/core';
import { BaseCommand } from '../core/cli/base-command.js';
import type { AgentFlags } from '../core/config/flags.js';

const str = (description: string) => Flags.string({ description });
const int = (description: string) => Flags.integer({ description });
const bool = (description: string) => Flags.boolean({ description });
const list = (description: string) => Flags.string({ description, multiple: true });

export default class Agent extends BaseCommand {
  static override summary = 'Runs a Consul agent';
  static override description = `
Usage: consul agent [options]

  Starts the Consul agent and runs until an interrupt is received. The
  agent represents a single node in a cluster.
`;

  static override flags = {
    dev: bool('Starts the agent in development mode.'),
    server: bool('Switches agent to server mode.'),
    bootstrap: bool('Sets server to bootstrap mode.'),
    'bootstrap-expect': int('Sets server to expect bootstrap mode.'),
    'data-dir': str('Path to a data directory to store agent state.'),
    'config-file': list('Path to a file in JSON or HCL format. Can be specified multiple times.'),
    'config-dir': list('Path to a directory to read configuration files from. Can be specified multiple times.'),
    node: str('Name of this node. Must be unique in the cluster.'),
    'node-id': str('A unique ID for this node across space and time.'),
    'node-meta': list('An arbitrary metadata key/value pair for this node, of the format `key:value`.'),
    bind: str('Sets the bind address for cluster communication.'),
    client: str('Sets the address to bind for client access (HTTP, DNS).'),
    advertise: str('Sets the advertise address to use.'),
    'advertise-wan': str('Sets address to advertise on WAN instead of -advertise address.'),
    datacenter: str('Datacenter of the agent.'),
    domain: str('Domain to use for DNS interface.'),
    'http-port': int('Sets the HTTP API port to listen on.'),
    'https-port': int('Sets the HTTPS API port to listen on.'),
    'dns-port': int('DNS port to use.'),
    'grpc-port': int('Sets the gRPC API port to listen on.'),
    'serf-lan-port': int('Sets the Serf LAN port to listen on.'),
    'serf-wan-port': int('Sets the Serf WAN port to listen on.'),
    'server-port': int('Sets the server port to listen on.'),
    'log-level': str('Log level of the agent.'),
    'pid-file': str('Path to file to store agent PID.'),
    ui: bool('Enables the built-in static web UI server.'),
    'ui-dir': str('Path to directory containing the web UI resources.'),
    'ui-content-path': str('Sets the external UI path to a string. Defaults to: /ui/ '),
    syslog: bool('Enables logging to syslog.'),
    hcl: list('hcl config fragment. Can be specified multiple times.'),
    'enable-script-checks': bool('Enables health check scripts.'),
    'enable-local-script-checks': bool('Enables health check scripts from configuration file.'),
    'retry-join': list('Address of an agent to join at start time with retries enabled. Can be specified multiple times.'),
    join: list('Address of an agent to join at start time. Can be specified multiple times.'),
    'retry-join-wan': list('Address of an agent to join -wan at start time with retries enabled. Can be specified multiple times.'),
    'join-wan': list('Address of an agent to join -wan at start time. Can be specified multiple times.'),
    'retry-interval': str('Time to wait between join attempts.'),
    'retry-interval-wan': str('Time to wait between join -wan attempts.'),
    'retry-max': int('Maximum number of join attempts. Defaults to 0, which will retry indefinitely.'),
    'retry-max-wan': int('Maximum number of join -wan attempts. Defaults to 0, which will retry indefinitely.'),
    rejoin: bool('Ignores a previous leave and attempts to rejoin the cluster.'),
    'serf-lan-bind': str('Address to bind Serf LAN listeners to.'),
    'serf-wan-bind': str('Address to bind Serf WAN listeners to.'),
    encrypt: str('Provides the gossip encryption key.'),
    'raft-protocol': int('Sets the Raft protocol version. Defaults to latest.'),
    recursor: list('Address of an upstream DNS server. Can be specified multiple times.'),
    'config-format': str('Config files are in this format irrespective of their extension. Must be "hcl" or "json"'),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parse(Agent);
    const { dev, 'config-file': files, 'config-dir': dirs, hcl, 'config-format': format, ...rest } = flags;
    // Consul: builder.go newBuilder.
    if (format !== undefined && format !== '' && format !== 'json' && format !== 'hcl') {
      process.stderr.write("==> config: -config-format must be either 'hcl' or 'json'\n");
      return 1;
    }
    // Loaded lazily: the rest of the CLI must not pay for the agent's modules at startup.
    const { runAgent } = await import('../core/agent/index.js');
    const { flagsToFileConfig } = await import('../core/config/index.js');
    const code = await runAgent({
      dev: dev ?? false,
      paths: [...(files ?? []), ...(dirs ?? [])],
      flags: flagsToFileConfig(rest as AgentFlags),
      hcl: hcl ?? [],
      ...(format === 'json' || format === 'hcl' ? { format } : {}),
    });
    // Everything was closed by the shutdown; exit now rather than wait for stray handles.
    process.exit(code);
  }
}
