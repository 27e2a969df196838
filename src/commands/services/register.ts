import { Flags } from '@oclif/core';
import { parseKeyValues } from '../../core/cli/flag-values.js';
import { BaseCommand } from '../../core/cli/base-command.js';
import { clientFlags, intFlag, serverFlags, stringFlag } from '../../core/cli/flags.js';
import type { AgentServiceRegistration } from '../../core/client/index.js';
import type { FileConfig } from '../../core/config/index.js';

/** Words that Consul's API field names spell in capitals. */
const ACRONYMS: Readonly<Record<string, string>> = {
  id: 'ID',
  http: 'HTTP',
  tcp: 'TCP',
  udp: 'UDP',
  ttl: 'TTL',
  grpc: 'GRPC',
  tls: 'TLS',
  ip: 'IP',
  url: 'URL',
  dns: 'DNS',
};

/** API names that do not follow the word-by-word rule. */
const SPECIAL: Readonly<Record<string, string>> = {
  h2ping: 'H2PING',
  h2ping_use_tls: 'H2PingUseTLS',
  os_service: 'OSService',
};

/** Keys whose values are user data: their own keys are kept as written. */
const OPAQUE = new Set(['meta', 'node_meta', 'header', 'config', 'service_meta']);

/** snake_case config key -> the PascalCase name of Consul's API structs (check_id -> CheckID). */
export function apiFieldName(key: string): string {
  if (SPECIAL[key]) return SPECIAL[key];
  if (/[A-Z]/.test(key)) return key; // already an API name
  return key
    .split('_')
    .map((w) => ACRONYMS[w] ?? (w === '' ? '' : w[0]!.toUpperCase() + w.slice(1)))
    .join('');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function convertValue(key: string, v: unknown): unknown {
  if (OPAQUE.has(key)) return v;
  if (key === 'tagged_addresses' && isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [name, addr] of Object.entries(v)) out[name] = convertValue('', addr);
    return out;
  }
  if (Array.isArray(v)) return v.map((item) => convertValue('', item));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, inner] of Object.entries(v)) out[apiFieldName(k)] = convertValue(k, inner);
    return out;
  }
  return v;
}

/**
 * A service definition from a config file (snake_case, as the agent reads it) in the shape of
 * api.AgentServiceRegistration, which PUT /v1/agent/service/register expects.
 */
export function definitionToRegistration(def: Readonly<Record<string, unknown>>): AgentServiceRegistration {
  return convertValue('', def) as AgentServiceRegistration;
}


/** api.ParseServiceAddr: `host:port` (IPv6 in brackets), with net.SplitHostPort's errors. */
export function parseServiceAddr(addrPort: string): { Address: string; Port: number } | { error: string } {
  const missing = { error: `address ${addrPort}: missing port in address` };
  let host: string;
  let port: string;
  if (addrPort.startsWith('[')) {
    const end = addrPort.indexOf(']');
    if (end < 0) return { error: `address ${addrPort}: missing ']' in address` };
    if (end + 1 === addrPort.length) return missing;
    if (addrPort[end + 1] !== ':') return { error: `address ${addrPort}: missing port in address` };
    host = addrPort.slice(1, end);
    port = addrPort.slice(end + 2);
  } else {
    const i = addrPort.lastIndexOf(':');
    if (i < 0) return missing;
    host = addrPort.slice(0, i);
    port = addrPort.slice(i + 1);
    if (host.includes(':')) return { error: `address ${addrPort}: too many colons in address` };
  }
  if (!/^[+-]?\d+$/.test(port)) return { error: `strconv.Atoi: parsing ${JSON.stringify(port)}: invalid syntax` };
  return { Address: host, Port: Number.parseInt(port, 10) };
}

/** services.ServicesFromFiles: the service definitions of these config files or directories. */
export async function servicesFromFiles(paths: readonly string[]): Promise<Array<Record<string, unknown>>> {
  // The config loader (zod schemas) is only needed here: load it lazily to keep start-up fast.
  const config = await import('../../core/config/index.js');
  const files: FileConfig[] = [];
  for (const p of paths) files.push(...(await config.readConfigPath(p)));
  // The agent's rules for the whole set (Consul loads the files in dev mode, so no data_dir).
  config.buildRuntime(config.mergeConfigs(files), { dev: true, paths: [...paths], flags: {} });
  const services: Array<Record<string, unknown>> = [];
  for (const f of files) {
    // Per file, a singular `service` joins the list after that file's `services` (Consul's builder).
    services.push(...(f.services ?? []));
    if (f.service) services.push(f.service);
  }
  return services;
}

export default class ServicesRegister extends BaseCommand {
  static override summary = 'Register services with the local agent';
  static override description = `
Usage: consul services register [options] [FILE...]

  Registers one or more services with the local agent through its HTTP API.
  The services come either from Consul configuration files (JSON or HCL) or
  from the flags below. The command returns once the service is registered;
  use "consul services deregister" (or the API) to remove it again.

      $ consul services register web.json

  Additional flags and more advanced use cases are detailed below.
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    id: stringFlag("ID of the service to register for arg-based registration. If this isn't set, it will default to the -name value."),
    name: stringFlag('Name of the service to register for arg-based registration.'),
    address: stringFlag('Address of the service to register for arg-based registration.'),
    port: intFlag('Port of the service to register for arg-based registration.'),
    socket: stringFlag('Path to the Unix domain socket to register for arg-based registration (conflicts with address and port).'),
    meta: Flags.string({
      multiple: true,
      helpValue: 'key=value',
      description: 'Metadata to set on the service, formatted as key=value. This flag may be specified multiple times to set multiple meta fields.',
    }),
    tag: Flags.string({
      multiple: true,
      helpValue: 'value',
      description: 'Tag to add to the service. This flag can be specified multiple times to set multiple tags.',
    }),
    'tagged-address': Flags.string({
      multiple: true,
      helpValue: 'key=value',
      description:
        'Tagged address to set on the service, formatted as key=value. This flag may be specified multiple times to set multiple addresses.',
    }),
    kind: stringFlag("The services 'kind'"),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(ServicesRegister.flags);
    const meta = parseKeyValues(flags.meta);
    if ('bad' in meta) return this.badMapFlag('meta', meta.bad);
    const tagged = parseKeyValues(flags['tagged-address']);
    if ('bad' in tagged) return this.badMapFlag('tagged-address', tagged.bad);

    const taggedAddresses: Record<string, { Address: string; Port: number }> = {};
    for (const [k, v] of Object.entries(tagged.map)) {
      const addr = parseServiceAddr(v);
      if ('error' in addr) return this.fail(`Invalid Tagged Address: ${addr.error}`);
      taggedAddresses[k] = addr;
    }

    const name = flags.name ?? '';
    if (argv.length === 0 && name === '') return this.fail('Service registration requires at least one argument or flags.');
    if (argv.length > 0 && name !== '') return this.fail('Service registration requires arguments or -id, not both.');

    let regs: AgentServiceRegistration[];
    if (argv.length > 0) {
      try {
        regs = (await servicesFromFiles(argv)).map(definitionToRegistration);
      } catch (e) {
        return this.fail(`Error: ${this.message(e).replace(/\n+$/, '')}`);
      }
    } else {
      const reg: AgentServiceRegistration = {};
      if (flags.kind) reg.Kind = flags.kind;
      if (flags.id) reg.ID = flags.id;
      reg.Name = name;
      if (flags.tag && flags.tag.length > 0) reg.Tags = [...flags.tag];
      if (flags.port) reg.Port = flags.port;
      if (flags.address) reg.Address = flags.address;
      if (flags.socket) reg.SocketPath = flags.socket;
      if (Object.keys(taggedAddresses).length > 0) reg.TaggedAddresses = taggedAddresses;
      if (Object.keys(meta.map).length > 0) reg.Meta = meta.map;
      regs = [reg];
    }

    const client = this.api(flags);
    if (!client) return 1;
    for (const reg of regs) {
      const svcName = typeof reg.Name === 'string' ? reg.Name : '';
      try {
        await client.agent.serviceRegister(reg);
      } catch (e) {
        return this.fail(`Error registering service ${JSON.stringify(svcName)}: ${this.message(e)}`);
      }
      this.out(`Registered service: ${svcName}`);
    }
    return 0;
  }
}
