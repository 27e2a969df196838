// The rest of /v1/acl/*: replication status, and the auth-method and binding-rule lists (no auth
// methods exist here, so both are empty). Like every ACL route, 401 while ACLs are off.
import type { Reply, RequestContext } from '../context.js';
import type { ApiDeps } from '../deps.js';
import { requireAclsEnabled } from './acl-tokens.js';

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** GET /v1/acl/replication: this datacenter is the primary and replicates nothing (no token needed). */
export function aclReplication(_ctx: RequestContext, deps: ApiDeps): Reply {
  requireAclsEnabled(deps);
  return {
    status: 200,
    body: {
      Enabled: false,
      Running: false,
      SourceDatacenter: '',
      ReplicationType: '',
      ReplicatedIndex: 0,
      ReplicatedRoleIndex: 0,
      ReplicatedTokenIndex: 0,
      LastSuccess: GO_ZERO_TIME,
      LastError: GO_ZERO_TIME,
      LastErrorMessage: '',
    },
  };
}

/** GET /v1/acl/auth-methods and /v1/acl/binding-rules: acl:read, and none exist. */
export function aclEmptyList(ctx: RequestContext, deps: ApiDeps): Reply {
  requireAclsEnabled(deps);
  ctx.acl.require(ctx.acl.authz.aclRead(), 'acl', 'read');
  return { status: 200, body: [] };
}
