// /v1/agent/connect/* (Consul: agent/agent_endpoint.go AgentConnectCARoots,
// AgentConnectCALeafCert, AgentConnectAuthorize): answered by the local agent, with server state
// reached in process on a server and through forwarding on a client agent.
import { HttpError } from '../../errors.js';
import { decide, type Decision } from '../../connect/intentions.js';
import { LeafCache } from '../../connect/leaf-cache.js';
import { parseSpiffeId, SpiffeError } from '../../connect/spiffe.js';
import type { IssuedCert } from '../../connect/ca-provider.js';
import { rootList, type CARootList } from '../../server/connect-ca.js';
import { allIntentions } from '../../server/intention-endpoint.js';
import { matchIntentions } from '../../connect/intentions.js';
import type { Intention } from '../../structs/connect.js';
import { blockingTimeoutMs } from '../blocking.js';
import type { Reply, RequestContext } from '../context.js';
import { isObject, parseJson } from '../decode.js';
import type { ApiDeps } from '../deps.js';
import { askServer, relayToServer } from './ask-server.js';
import { parseCsr } from '../../tls/x509.js';
import { connectCaRoots } from './connect-ca.js';

export function agentConnectCaRoots(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  return relayToServer(ctx, deps, '/v1/connect/ca/roots', () => connectCaRoots(ctx, deps));
}

const caches = new WeakMap<ApiDeps, LeafCache>();
/**
 * The token of the last request that asked for each service's leaf: signing (and renewing) runs
 * with it, so the server's ConnectCA.Sign check (service:write) sees the requester, as in Consul,
 * where the leaf cache fetches with the request's token.
 */
const leafTokens = new WeakMap<ApiDeps, Map<string, string>>();

async function csrService(csr: string): Promise<string | undefined> {
  try {
    const uri = (await parseCsr(csr)).uris[0];
    const id = uri === undefined ? undefined : parseSpiffeId(uri);
    return id?.type === 'service' ? id.service : undefined;
  } catch {
    return undefined; // the signer answers a bad CSR in its own words
  }
}

function leafCache(deps: ApiDeps): LeafCache {
  let c = caches.get(deps);
  if (!c) {
    c = new LeafCache(deps.config.datacenter, {
      roots: async () => {
        const list = await askServer<CARootList>(deps, { method: 'GET', url: '/v1/connect/ca/roots', leaderOnly: false, local: (s) => rootList(s) });
        if (list.ActiveRootID === '') throw new HttpError(500, 'CA has not finished initializing');
        return { trustDomain: list.TrustDomain, activeRootId: list.ActiveRootID };
      },
      sign: async (csr) => {
        const service = await csrService(csr);
        const token = service === undefined ? undefined : leafTokens.get(deps)?.get(service);
        return askServer<IssuedCert>(deps, { method: 'POST', url: '/v1/internal/connect/ca/sign', body: { CSR: csr }, leaderOnly: true, token, local: (s) => s.connectCA.sign(csr) });
      },
    });
    caches.set(deps, c);
  }
  return c;
}

/** Consul renews on root changes too: a parked query re-checks the roots at least this often. */
const LEAF_RECHECK_MS = 1000;

/** GET /v1/agent/connect/ca/leaf/:service, blocking on the leaf's index. */
export async function agentConnectCaLeaf(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const service = ctx.tail;
  if (service === '') throw new HttpError(400, 'Missing service name');
  // Consul: AgentConnectCALeafCert needs service:write on the service.
  ctx.acl.require(ctx.acl.authz.serviceWrite(service), 'service', 'write', service);
  if (ctx.acl.enabled) {
    let tokens = leafTokens.get(deps);
    if (!tokens) leafTokens.set(deps, (tokens = new Map()));
    tokens.set(service, ctx.token());
  }
  const cache = leafCache(deps);
  const { minIndex, waitMs } = ctx.blocking();
  let leaf = await cache.get(service);
  if (minIndex > 0 && leaf.ModifyIndex <= minIndex) {
    const deadline = Date.now() + blockingTimeoutMs(waitMs, deps.limits);
    while (leaf.ModifyIndex <= minIndex && !ctx.isClosed) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const renewIn = (cache.renewAt(service) ?? Infinity) - Date.now();
      await cache.waitChange(service, Math.max(0, Math.min(left, LEAF_RECHECK_MS, renewIn)), (fn) => ctx.onClose(fn));
      leaf = await cache.get(service);
    }
  }
  const meta = { index: leaf.ModifyIndex, knownLeader: true, lastContactMs: 0, consistency: 'default' as const };
  return { status: 200, body: leaf, meta };
}

/** The intentions that apply to a destination, from a server. */
async function destinationIntentions(deps: ApiDeps, target: string, token: string): Promise<Intention[]> {
  const url = `/v1/connect/intentions/match?by=destination&name=${encodeURIComponent(target)}`;
  const r = await askServer<Record<string, Intention[]>>(deps, {
    method: 'GET',
    url,
    leaderOnly: false,
    token,
    local: (s) => ({ [target]: matchIntentions(allIntentions(s.store), 'destination', target) }),
  });
  return r[target] ?? [];
}

/** POST /v1/agent/connect/authorize: {Authorized, Reason} for a client cert URI and a target. */
export async function agentConnectAuthorize(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const raw = ctx.body.length === 0 ? null : parseJson(ctx.body);
  if (!isObject(raw)) throw new HttpError(400, 'Invalid request');
  const target = typeof raw.Target === 'string' ? raw.Target : '';
  if (target === '') throw new HttpError(400, 'Target service must be specified');
  // Consul: ConnectAuthorize needs service:write on the target (only its proxies ask).
  ctx.acl.require(ctx.acl.authz.serviceWrite(target), 'service', 'write', target);
  const uri = typeof raw.ClientCertURI === 'string' ? raw.ClientCertURI : '';
  let id;
  try {
    id = parseSpiffeId(uri);
  } catch (err) {
    if (err instanceof SpiffeError) throw new HttpError(400, 'ClientCertURI not a valid Connect identifier');
    throw err;
  }
  if (id.type !== 'service') throw new HttpError(400, 'ClientCertURI not a valid Service identifier');
  // Consul does not compare the trust domain here (the TLS handshake already did).
  // No matching intention: the ACL system's default decides (allow while ACLs are off).
  const d: Decision = decide(await destinationIntentions(deps, target, ctx.token()), id.service, ctx.acl.authz.intentionDefaultAllow(), ctx.acl.enabled);
  return { status: 200, body: { Authorized: d.allowed, Reason: d.reason } };
}
