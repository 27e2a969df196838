// An agent started inside the test process (no child process), for tests that hand it something
// a config file cannot express, such as an ACL resolver (Agent.aclResolver). Free ports on
// 127.0.0.1; stop() shuts it down. Its log goes nowhere unless `log` is given.
import { randomUUID } from 'node:crypto';
import { Agent } from '../../src/core/agent/agent.js';
import type { AclResolver } from '../../src/core/acl/index.js';
import { loadRuntimeConfig } from '../../src/core/config/index.js';
import { freePort } from './free-port.js';

export interface InProcessPorts {
  http: number;
  dns: number;
  serfLan: number;
  serfWan: number;
  server: number;
}

export interface InProcessAgent {
  readonly agent: Agent;
  readonly ports: InProcessPorts;
  stop(): Promise<void>;
}

export async function startInProcessAgent(opts: {
  dev: boolean;
  hcl: string;
  acl?: AclResolver;
  defaultToken?: () => string | undefined;
  log?: (line: string) => void;
}): Promise<InProcessAgent> {
  const ports: InProcessPorts = { http: await freePort(), dns: await freePort(), serfLan: await freePort(), serfWan: await freePort(), server: await freePort() };
  const portsHcl = `ports {
  http = ${ports.http}
  dns = ${ports.dns}
  serf_lan = ${ports.serfLan}
  serf_wan = ${ports.serfWan}
  server = ${ports.server}
}`;
  const config = await loadRuntimeConfig({ dev: opts.dev, paths: [], flags: {}, hcl: [opts.hcl, portsHcl] });
  const agent = new Agent(config, randomUUID(), { write: opts.log ?? (() => undefined) });
  agent.aclResolver = opts.acl;
  agent.aclDefaultToken = opts.defaultToken;
  await agent.start();
  return { agent, ports, stop: () => agent.shutdown(0) };
}
