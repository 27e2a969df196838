// Agent configuration: a file's text (JSON or HCL) through the same loader `consul agent` and
// `consul validate` use: parse, validate, merge with the defaults, build the runtime config.
// Refusals: ConfigError (the agent prints it and exits 1) and HclError.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { ConfigError, loadRuntimeConfig } from '../../../src/core/config/index.js';
import { HclError } from '../../../src/core/config/hcl.js';
import { textLike, type FuzzTarget } from '../target.js';

const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -5, max: 70000 }), fc.boolean(), fc.constantFrom('10s', '1m', '-1s', '0', '127.0.0.1', 'dc1'));
const service = fc.record(
  { name: fc.constantFrom('web', 'db', ''), id: fc.string({ maxLength: 6 }), port: fc.integer({ min: -1, max: 70000 }), tags: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), check: fc.record({ ttl: fc.constantFrom('10s', 'x'), http: fc.constantFrom('http://127.0.0.1:1', ''), interval: fc.constantFrom('1s', '') }, { requiredKeys: [] }) },
  { requiredKeys: [] },
);
const doc = fc.record(
  {
    datacenter: scalar,
    node_name: scalar,
    log_level: fc.constantFrom('info', 'DEBUG', 'nope', 3),
    server: fc.oneof(fc.boolean(), scalar),
    bootstrap_expect: fc.integer({ min: -1, max: 7 }),
    ports: fc.dictionary(fc.constantFrom('http', 'dns', 'serf_lan', 'server', 'grpc', 'https'), fc.integer({ min: -2, max: 70000 })),
    dns_config: fc.record({ node_ttl: scalar, service_ttl: fc.dictionary(fc.constantFrom('*', 'web'), scalar), udp_answer_limit: scalar }, { requiredKeys: [] }),
    services: fc.array(service, { maxLength: 2 }),
    service,
    retry_join: fc.array(scalar, { maxLength: 2 }),
    gossip_lan: fc.record({ probe_interval: scalar, suspicion_mult: scalar }, { requiredKeys: [] }),
    limits: fc.record({ http_max_conns_per_client: scalar }, { requiredKeys: [] }),
    watches: fc.array(fc.record({ type: fc.constantFrom('key', 'checks', 'x'), key: scalar, handler_type: fc.constantFrom('script', 'http') }, { requiredKeys: [] }), { maxLength: 1 }),
  },
  { requiredKeys: [] },
);

/** HCL text for a JSON-like document (blocks for objects, lists of objects as repeated blocks). */
function toHcl(v: Record<string, unknown>, indent = ''): string {
  const lit = (x: unknown): string => (typeof x === 'string' ? JSON.stringify(x) : Array.isArray(x) ? `[${x.map(lit).join(', ')}]` : String(x));
  return Object.entries(v)
    .map(([k, x]) => {
      if (Array.isArray(x) && x.some((e) => typeof e === 'object')) return x.map((e) => `${indent}${k} {\n${toHcl(e as Record<string, unknown>, indent + '  ')}${indent}}\n`).join('');
      if (x && typeof x === 'object' && !Array.isArray(x)) return `${indent}${k} {\n${toHcl(x as Record<string, unknown>, indent + '  ')}${indent}}\n`;
      return `${indent}${k} = ${lit(x)}\n`;
    })
    .join('');
}

let dir = '';

export const configTarget: FuzzTarget<{ text: string; hcl: boolean }> = {
  name: 'config',
  surface: 'agent config files, JSON and HCL, through the agent loader',
  arbitrary: fc.boolean().chain((hcl) => fc.record({ text: textLike(doc.map((d) => (hcl ? toHcl(d) : JSON.stringify(d, null, 1)))), hcl: fc.constant(hcl) })),
  refusals: [ConfigError, HclError],
  async setup() {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fuzz-config-'));
  },
  async teardown() {
    rmSync(dir, { recursive: true, force: true });
  },
  async run({ text, hcl }) {
    const file = path.join(dir, hcl ? 'c.hcl' : 'c.json');
    writeFileSync(file, text);
    await loadRuntimeConfig({ dev: true, paths: [file], flags: {} });
  },
};
