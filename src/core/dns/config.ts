// DNS settings from the runtime config (domain, dns_config, recursors).
import type { RuntimeConfig } from '../config/index.js';
import type { DnsOptions } from './server.js';

export function dnsOptionsFromConfig(c: RuntimeConfig): DnsOptions {
  return { domain: c.domain, datacenter: c.datacenter, nodeTtl: 0, serviceTtl: 0 };
}
