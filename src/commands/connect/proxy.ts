import { Flags } from '@oclif/core';
import { RegisterMonitor } from '../../core/connect/proxy/index.js';
import { BaseCommand } from '../../core/cli/base-command.js';
import { boolFlag, clientFlags, serverFlags, stringFlag } from '../../core/cli/flags.js';
import type { ApiClient } from '../../core/client/index.js';
import { ConnectProxy, type ProxyConfig, type UpstreamConfig } from '../../core/connect/proxy/index.js';
import { isLogLevel, Logger, stdoutSink } from '../../core/support/logger.js';

/** `name:port` or `name:host:port` (Consul: FlagUpstreams). */
function parseUpstream(v: string): UpstreamConfig | string {
  const at = v.indexOf(':');
  if (at <= 0) return `Upstream ${v} must be in the form name:addr`;
  const name = v.slice(0, at);
  const addr = v.slice(at + 1);
  const last = addr.lastIndexOf(':');
  const host = last < 0 ? '127.0.0.1' : addr.slice(0, last) || '127.0.0.1';
  const port = Number(last < 0 ? addr : addr.slice(last + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return `Upstream ${v}: invalid port`;
  return { destinationName: name, datacenter: '', localBindAddress: host, localBindPort: port };
}

export default class ConnectProxyCommand extends BaseCommand {
  static override summary = 'Runs a Consul Connect proxy';
  static override description = `
Usage: consul connect proxy [options]

  Starts a Consul Connect proxy and runs until an interrupt is received.
  The proxy can be used to accept inbound connections for a service,
  wrap outbound connections to upstream services, or both. This enables
  a non-Connect-aware application to use Connect.

    $ consul connect proxy -service frontend -upstream db:8181

    $ consul connect proxy \\
        -service frontend \\
        -service-addr 127.0.0.1:8080 \\
        -listen ':8443'
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    'proxy-id': stringFlag("The proxy's ID on the local agent."),
    'sidecar-for': stringFlag(
      'The ID of a service instance on the local agent that this proxy should become a sidecar for. It requires that the proxy service is registered with the agent as a connect-proxy with Proxy.DestinationServiceID set to this value. If more than one such proxy is registered it will fail.',
    ),
    'log-level': stringFlag('Specifies the log level.', 'INFO'),
    service: stringFlag('Name of the service this proxy is representing.'),
    upstream: Flags.string({
      multiple: true,
      helpValue: 'value',
      description:
        "Upstream service to support connecting to. The format should be 'name:addr', such as 'db:8181'. This will make 'db' available on port 8181. This can be repeated multiple times.",
    }),
    'service-addr': stringFlag('Address of the local service to proxy. Only useful if -listen and -service are both set.'),
    listen: stringFlag('Address to listen for inbound connections to the proxied service. Must be specified with -service and -service-addr.'),
    register: boolFlag('Self-register with the local Consul agent. Only useful with -listen.'),
    'register-id': stringFlag('ID suffix for the service. Use this to disambiguate with other proxies.'),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(ConnectProxyCommand.flags);
    if (argv.length > 0) return this.fail('==> Should have no non-flag arguments.');
    const level = (flags['log-level'] ?? 'INFO').toLowerCase();
    if (!isLogLevel(level)) return this.fail(`==> Invalid log level: ${flags['log-level'] ?? ''}`);
    const client = this.api(flags);
    if (!client) return 1;
    this.out('==> Consul Connect proxy starting...');
    let cfg: ProxyConfig;
    try {
      cfg = await this.configure(client, flags['proxy-id'] ?? process.env.CONNECT_PROXY_ID ?? '', flags['sidecar-for'] ?? process.env.CONNECT_SIDECAR_FOR ?? '', flags);
    } catch (e) {
      return this.fail(`==> Error preparing configuration: ${this.message(e)}`);
    }
    const log = new Logger(stdoutSink, level, 'proxy');
    let monitor: RegisterMonitor | undefined;
    if (flags.register) {
      const l = cfg.publicListener;
      if ((flags.service ?? '') === '' || !l) return this.fail('==> Failed initializing registration: -register may only be specified with -service and -listen');
      monitor = new RegisterMonitor(client, cfg.service, flags['register-id'] ?? '', l.bindAddress, l.bindPort, log);
    }
    this.out('    ');
    this.out('==> Log data will now stream in as it occurs:\n');
    const proxy = new ConnectProxy(cfg, client, log);
    const stopped = new Promise<void>((resolve) => {
      const onSignal = (): void => resolve();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    });
    try {
      await Promise.race([proxy.start(), stopped]);
      await monitor?.start();
    } catch (e) {
      await proxy.stop();
      await monitor?.stop();
      return this.fail(`==> Failed running proxy: ${this.message(e)}`);
    }
    await stopped;
    await monitor?.stop();
    await proxy.stop();
    this.out('==> Consul Connect proxy shutdown');
    return 0;
  }

  private async configure(
    client: ApiClient,
    proxyIdFlag: string,
    sidecarFor: string,
    flags: { service?: string; upstream?: string[]; 'service-addr'?: string; listen?: string },
  ): Promise<ProxyConfig> {
    const self = await client.agent.self();
    const datacenter = String((self.Config as Record<string, unknown> | undefined)?.Datacenter ?? 'dc1');
    let proxyId = proxyIdFlag;
    if (proxyId === '' && sidecarFor !== '') {
      const svcs = await client.agent.services().catch((e: unknown) => {
        throw new Error(`Failed looking up sidecar proxy info for ${sidecarFor}: ${this.message(e)}`);
      });
      const ids = Object.values(svcs)
        .filter((s) => s.Kind === 'connect-proxy' && String((s.Proxy as Record<string, unknown> | undefined)?.DestinationServiceID ?? '').toLowerCase() === sidecarFor)
        .map((s) => s.ID);
      if (ids.length === 0) throw new Error(`No sidecar proxy registered for ${sidecarFor}`);
      if (ids.length > 1) throw new Error(`More than one sidecar proxy registered for ${sidecarFor}.\n    Start proxy with -proxy-id and one of the following IDs: ${ids.join(', ')}`);
      proxyId = ids[0] as string;
    }
    if (proxyId !== '') return this.fromRegistration(client, proxyId, sidecarFor, datacenter);
    const service = flags.service ?? '';
    if (service === '') throw new Error('-service or -proxy-id must be specified so that proxy can configure itself.');
    this.out('    Configuration mode: Flags');
    this.out(`               Service: ${service}`);
    const upstreams: UpstreamConfig[] = [];
    for (const raw of flags.upstream ?? []) {
      const u = parseUpstream(raw);
      if (typeof u === 'string') throw new Error(u);
      upstreams.push(u);
    }
    upstreams.sort((a, b) => a.destinationName.localeCompare(b.destinationName));
    for (const u of upstreams) this.out(`              Upstream: ${u.destinationName} => ${u.localBindAddress}:${u.localBindPort}`);
    let publicListener: ProxyConfig['publicListener'];
    const listen = flags.listen ?? '';
    if (listen !== '') {
      const at = listen.lastIndexOf(':');
      const port = Number(listen.slice(at + 1));
      if (at < 0 || !Number.isInteger(port)) throw new Error(`address ${listen}: missing port in address`);
      const serviceAddr = flags['service-addr'] ?? '';
      if (serviceAddr === '') throw new Error('-service-addr must be specified with -listen so the proxy knows the backend service address.');
      const sat = serviceAddr.lastIndexOf(':');
      this.out(`       Public listener: ${listen.slice(0, at)}:${port} => ${serviceAddr}`);
      publicListener = {
        bindAddress: listen.slice(0, at) || '0.0.0.0',
        bindPort: port,
        localServiceAddress: serviceAddr.slice(0, sat) || '127.0.0.1',
        localServicePort: Number(serviceAddr.slice(sat + 1)),
        service,
      };
    } else this.out('       Public listener: Disabled');
    return { service, datacenter, publicListener, upstreams };
  }

  /** Configuration from the proxy's registration on the local agent (Consul: AgentConfigWatcher). */
  private async fromRegistration(client: ApiClient, proxyId: string, sidecarFor: string, datacenter: string): Promise<ProxyConfig> {
    const svcs = await client.agent.services();
    const svc = svcs[proxyId];
    if (!svc) throw new Error(`Unknown service ID "${proxyId}"`);
    const p = (svc.Proxy ?? {}) as { DestinationServiceName?: string; LocalServiceAddress?: string; LocalServicePort?: number; Upstreams?: Record<string, unknown>[] | null; Config?: Record<string, unknown> };
    this.out('    Configuration mode: Agent API');
    if (sidecarFor !== '') this.out(`        Sidecar for ID: ${sidecarFor}`);
    this.out(`              Proxy ID: ${proxyId}`);
    const service = p.DestinationServiceName ?? '';
    const cfg = p.Config ?? {};
    const upstreams: UpstreamConfig[] = (p.Upstreams ?? []).map((u) => ({
      destinationName: String(u.DestinationName ?? ''),
      datacenter: String(u.Datacenter ?? ''),
      localBindAddress: String(u.LocalBindAddress ?? '') || '127.0.0.1',
      localBindPort: Number(u.LocalBindPort ?? 0),
    }));
    return {
      service,
      datacenter,
      publicListener: {
        bindAddress: typeof cfg.bind_address === 'string' ? cfg.bind_address : '0.0.0.0',
        bindPort: typeof cfg.bind_port === 'number' ? cfg.bind_port : svc.Port,
        localServiceAddress: p.LocalServiceAddress || '127.0.0.1',
        localServicePort: p.LocalServicePort ?? 0,
        service,
      },
      upstreams,
    };
  }
}
