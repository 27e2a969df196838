// The agent's ACL pieces (Consul: agent/acl.go, agent.go's token store setup): the agent's own
// tokens (loaded from config and, with persistence, from the data dir), the token resolver the
// HTTP server calls (local state on servers, a server over RPC on client agents), and the server
// side of that RPC.
import { AgentTokens } from '../acl/agent-tokens.js';
import { identityOfToken, type AclStateView, type TokenIdentity } from '../acl/identity.js';
import { ANONYMOUS_IDENTITY, ANONYMOUS_SECRET, TokenResolver } from '../acl/resolver.js';
import type { RuntimeConfig } from '../config/index.js';
import type { AclAgent } from '../http/deps.js';
import type { Server } from '../server/index.js';
import { aclPolicyGetById, aclRoleGetById, aclTokenGetBySecret } from '../state/acl.js';
import type { StateStore } from '../state/store.js';
import { tokenIsExpired } from '../structs/acl.js';
import type { Logger } from '../support/logger.js';

export function aclStateView(store: StateStore): AclStateView {
  return {
    tokenBySecret: (s) => aclTokenGetBySecret(store, s),
    policy: (id) => aclPolicyGetById(store, id),
    role: (id) => aclRoleGetById(store, id),
  };
}

/** A server's answer to a client agent's ACL.ResolveToken. */
export function serverTokenIdentity(server: Server, datacenter: string): (secret: string) => TokenIdentity | null {
  const view = aclStateView(server.store);
  return (secret) => {
    const token = view.tokenBySecret(secret);
    if (!token && secret === ANONYMOUS_SECRET) return ANONYMOUS_IDENTITY;
    if (!token || tokenIsExpired(token, Date.now())) return null;
    return identityOfToken(view, token, datacenter);
  };
}

/** The ACL agent pieces, or undefined when ACLs are off. */
export async function setupAcl(opts: {
  config: RuntimeConfig;
  server: Server | undefined;
  remote: (secret: string) => Promise<TokenIdentity | null>;
  log: Logger;
}): Promise<AclAgent | undefined> {
  const { config, server } = opts;
  const acl = config.acl;
  if (!acl.enabled) return undefined;
  const log = opts.log.named('acl');
  const tokens = new AgentTokens(acl.tokens, { persist: acl.enableTokenPersistence, dataDir: config.dataDir }, (m) => log.warn(m));
  await tokens.load();
  const store = server?.store;
  const resolver = new TokenResolver({
    defaultPolicy: acl.defaultPolicy,
    downPolicy: acl.downPolicy,
    tokenTtlMs: acl.tokenTtlMs,
    datacenter: config.datacenter,
    nodeName: config.nodeName,
    tokens,
    local: store ? { view: aclStateView(store), generation: () => store.generation('acl-tokens', 'acl-policies', 'acl-roles') } : undefined,
    remote: store ? undefined : opts.remote,
    warn: (m) => log.warn(m),
  });
  return { resolver, tokens, log };
}
