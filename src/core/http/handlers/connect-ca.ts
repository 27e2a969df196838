// /v1/connect/ca/* and /v1/agent/connect/ca/roots (Consul: agent/connect_ca_endpoint.go,
// agent/agent_endpoint.go AgentConnectCARoots), and the internal sign call agents use.
import { HttpError } from '../../errors.js';
import { caConfigJson, rootList, type CARootList } from '../../server/connect-ca.js';
import { caConfigGet, caRootsIndex } from '../../state/connect-ca.js';
import { blockingQuery } from '../blocking.js';
import type { Reply, RequestContext } from '../context.js';
import { isObject, parseJson } from '../decode.js';
import type { ApiDeps } from '../deps.js';
import { requireOperator } from './agent-acl.js';
import { parseCsr } from '../../tls/x509.js';
import { parseSpiffeId } from '../../connect/spiffe.js';

/** The PEM chain of every trusted root (?pem=true): what a TLS client needs as its CA file. */
function pemReply(list: CARootList, meta: Reply['meta']): Reply {
  const pem = list.Roots.map((r) => r.RootCert.trimEnd() + '\n').join('');
  return { status: 200, raw: pem, contentType: 'application/pem-certificate-chain', meta };
}

export async function connectCaRoots(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const server = deps.requireServer();
  const r = await blockingQuery(ctx, server, deps.limits, (ws) => {
    ws?.table('connect-ca-roots');
    return { index: caRootsIndex(server.store), value: rootList(server) };
  });
  if (ctx.get('pem') === 'true') return pemReply(r.value, r.meta);
  return { status: 200, body: r.value, meta: r.meta };
}

export async function connectCaConfigurationGet(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  // Consul: ConnectCA.ConfigurationGet/Set need operator:read / operator:write; roots are public.
  requireOperator(ctx.acl, 'read');
  const server = deps.requireServer();
  const r = await blockingQuery(ctx, server, deps.limits, (ws) => {
    ws?.table('connect-ca-config');
    return { index: server.store.maxIndex('connect-ca-config'), value: caConfigGet(server.store) };
  });
  if (!r.value) throw new HttpError(500, 'CA has not finished initializing');
  return { status: 200, body: caConfigJson(r.value), meta: r.meta };
}

export async function connectCaConfigurationPut(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const raw = ctx.body.length === 0 ? {} : parseJson(ctx.body);
  if (!isObject(raw)) throw new HttpError(400, 'Request decode failed: json: cannot unmarshal non-object into Go value of type structs.CAConfiguration');
  requireOperator(ctx.acl, 'write');
  const provider = typeof raw.Provider === 'string' ? raw.Provider : '';
  const config = raw.Config === undefined || raw.Config === null ? {} : raw.Config;
  if (!isObject(config)) throw new HttpError(400, 'Request decode failed: json: cannot unmarshal non-object into Go struct field CAConfiguration.Config of type map[string]interface {}');
  await deps.requireServer().connectCA.setConfig({ Provider: provider, Config: config, ForceWithoutCrossSigning: raw.ForceWithoutCrossSigning === true });
  return { status: 200, body: true };
}

/** Consul: ConnectCA.Sign needs service:write on the CSR's service (a bad CSR is left to the signer). */
async function requireSignerRights(ctx: RequestContext, csr: string): Promise<void> {
  let service: string | undefined;
  try {
    const uri = (await parseCsr(csr)).uris[0];
    const id = uri === undefined ? undefined : parseSpiffeId(uri);
    if (id?.type === 'service') service = id.service;
  } catch {
    return;
  }
  if (service !== undefined) ctx.acl.require(ctx.acl.authz.serviceWrite(service), 'service', 'write', service);
}

/** Internal: sign a service CSR on the leader (Consul's ConnectCA.Sign RPC, carried over HTTP forwarding). */
export async function connectCaSign(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const raw = parseJson(ctx.body);
  if (!isObject(raw) || typeof raw.CSR !== 'string') throw new HttpError(400, 'Request decode failed: missing CSR');
  if (ctx.acl.enabled) await requireSignerRights(ctx, raw.CSR);
  return { status: 200, body: await deps.requireServer().connectCA.sign(raw.CSR) };
}
