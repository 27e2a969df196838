// The keys Consul accepts in a config file's service and check definitions (agent/config/config.go:
// ServiceDefinition, CheckDefinition, ServiceConnect, ServiceProxy, ServiceWeights, plus the CE
// EnterpriseMeta fields `namespace` and `partition`), so that a typo such as `"tag": "lb"` fails
// loading with Consul's `invalid config key service.tag` instead of being dropped in silence.
// Keys that Consul accepts but this agent does not act on yet (proxy, socket_path, locality...) are
// accepted too: rejecting them would be stricter than Consul.
//
// Matching: Consul's decoder (mapstructure + lib/decode.HookTranslateKeys) compares keys
// case-insensitively and knows a few aliases (`serviceid`, `scriptargs`...). Our definition decoder
// (agent/definitions.ts) is a little more lenient (it also ignores `_`, so `ServiceID` and
// `EnableTagOverride` work), so a key is known when it matches a name here the same way.
// HTTP bodies (PUT /v1/agent/service/register) go through Go's encoding/json in Consul, which
// ignores unknown fields; this check is for config files only, as in Consul.

const ENTERPRISE_META = ['namespace', 'partition'];

const SERVICE_KEYS = [
  'kind',
  'id',
  'name',
  'tags',
  'address',
  'tagged_addresses',
  'meta',
  'port',
  'socket_path',
  'check',
  'checks',
  'token',
  'weights',
  'enable_tag_override',
  'proxy',
  'connect',
  'locality',
  ...ENTERPRISE_META,
];

const CHECK_KEYS = [
  'id',
  'check_id', // our decoder's HTTP-shaped alias (CheckID), kept for config files that use it
  'name',
  'notes',
  'service_id',
  'token',
  'status',
  'args',
  'script_args',
  'script', // pre-1.1 form: Consul dropped it, the project's seed configs still run it through a shell
  'http',
  'header',
  'method',
  'body',
  'disable_redirects',
  'output_max_size',
  'tcp',
  'udp',
  'interval',
  'docker_container_id',
  'shell',
  'grpc',
  'grpc_use_tls',
  'tls_server_name',
  'tls_skip_verify',
  'alias_node',
  'alias_service',
  'timeout',
  'ttl',
  'h2ping',
  'h2ping_use_tls',
  'os_service',
  'success_before_passing',
  'failures_before_warning',
  'failures_before_critical',
  'deregister_critical_service_after',
  ...ENTERPRISE_META,
];

const WEIGHTS_KEYS = ['passing', 'warning'];
const TAGGED_ADDRESS_KEYS = ['address', 'port'];
const CONNECT_KEYS = ['native', 'sidecar_service'];
const PROXY_KEYS = [
  'destination_service_name',
  'destination_service_id',
  'local_service_address',
  'local_service_port',
  'local_service_socket_path',
  'transparent_proxy',
  'mode',
  'config',
  'upstreams',
  'mesh_gateway',
  'expose',
];

const norm = (k: string): string => k.toLowerCase().replace(/_/g, '');
const known = (names: readonly string[]): Set<string> => new Set(names.map(norm));
const SERVICE = known(SERVICE_KEYS);
const CHECK = known(CHECK_KEYS);
const WEIGHTS = known(WEIGHTS_KEYS);
const TAGGED_ADDRESS = known(TAGGED_ADDRESS_KEYS);
const CONNECT = known(CONNECT_KEYS);
const PROXY = known(PROXY_KEYS);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function unknownIn(o: Obj, keys: Set<string>, path: string, out: string[]): void {
  for (const k of Object.keys(o)) if (!keys.has(norm(k))) out.push(`${path}.${k}`);
}

/** A field by its normalized name (the decoder matches keys the same way). */
function field(o: Obj, name: string): unknown {
  for (const [k, v] of Object.entries(o)) if (norm(k) === norm(name)) return v;
  return undefined;
}

function checkKeys(raw: unknown, path: string, out: string[]): void {
  if (isObj(raw)) unknownIn(raw, CHECK, path, out);
}

function checkList(raw: unknown, path: string, out: string[]): void {
  if (Array.isArray(raw)) raw.forEach((c, i) => checkKeys(c, `${path}[${i}]`, out));
  else checkKeys(raw, path, out);
}

function serviceKeys(raw: unknown, path: string, out: string[]): void {
  if (!isObj(raw)) return;
  unknownIn(raw, SERVICE, path, out);
  const check = field(raw, 'check');
  if (check !== undefined) checkKeys(check, `${path}.check`, out);
  const checks = field(raw, 'checks');
  if (checks !== undefined) checkList(checks, `${path}.checks`, out);
  const weights = field(raw, 'weights');
  if (isObj(weights)) unknownIn(weights, WEIGHTS, `${path}.weights`, out);
  const tagged = field(raw, 'tagged_addresses');
  if (isObj(tagged)) for (const [name, a] of Object.entries(tagged)) if (isObj(a)) unknownIn(a, TAGGED_ADDRESS, `${path}.tagged_addresses.${name}`, out);
  const proxy = field(raw, 'proxy');
  if (isObj(proxy)) unknownIn(proxy, PROXY, `${path}.proxy`, out);
  const connect = field(raw, 'connect');
  if (isObj(connect)) {
    unknownIn(connect, CONNECT, `${path}.connect`, out);
    const sidecar = field(connect, 'sidecar_service');
    if (sidecar !== undefined) serviceKeys(sidecar, `${path}.connect.sidecar_service`, out);
  }
}

/**
 * The unknown keys of one config source's `service`, `services`, `check` and `checks`, named as
 * Consul names them (`service.tag`, `services[1].check.intervall`).
 */
export function unknownDefinitionKeys(source: unknown): string[] {
  if (!isObj(source)) return [];
  const out: string[] = [];
  if (source['service'] !== undefined) serviceKeys(source['service'], 'service', out);
  const services = source['services'];
  if (Array.isArray(services)) services.forEach((s, i) => serviceKeys(s, `services[${i}]`, out));
  if (source['check'] !== undefined) checkKeys(source['check'], 'check', out);
  if (source['checks'] !== undefined) checkList(source['checks'], 'checks', out);
  return out;
}
