// ACL endpoints (/v1/acl/...) and the agent token endpoints (/v1/agent/token/...), shaped like
// Consul's api/acl.go and api/agent.go: which calls treat 404 as "not found" (nil) and which
// require a 2xx answer, and the JSON bodies they send.
import { type HttpTransport, parseJson } from './http.js';
import { StatusError } from './errors.js';

export interface AclLink {
  ID: string;
  Name: string;
}

export interface AclServiceIdentity {
  ServiceName: string;
  Datacenters?: string[];
}

export interface AclNodeIdentity {
  NodeName: string;
  Datacenter: string;
}

export interface AclTemplatedPolicy {
  TemplateName: string;
  TemplateVariables?: { Name?: string } | null;
  Datacenters?: string[] | null;
}

/** api.ACLToken as the agent answers it (times as RFC 3339 text, Hash as base64). */
export interface AclToken {
  CreateIndex?: number;
  ModifyIndex?: number;
  AccessorID: string;
  SecretID: string;
  Description: string;
  Policies?: AclLink[] | null;
  Roles?: AclLink[] | null;
  ServiceIdentities?: AclServiceIdentity[] | null;
  NodeIdentities?: AclNodeIdentity[] | null;
  TemplatedPolicies?: AclTemplatedPolicy[] | null;
  Local: boolean;
  AuthMethod?: string;
  /** Go's time.Duration: nanoseconds as a number (a duration string is accepted from agents too). */
  ExpirationTTL?: number | string;
  ExpirationTime?: string | null;
  CreateTime?: string;
  Hash?: string | null;
  Rules?: string;
  Namespace?: string;
  Partition?: string;
  AuthMethodNamespace?: string;
}

/** api.ACLTokenListEntry. */
export interface AclTokenListEntry extends Omit<AclToken, 'ExpirationTTL' | 'Rules'> {
  Legacy?: boolean;
}

/** api.ACLPolicy. */
export interface AclPolicy {
  ID: string;
  Name: string;
  Description: string;
  Rules: string;
  Datacenters: string[] | null;
  Hash?: string | null;
  CreateIndex?: number;
  ModifyIndex?: number;
  Namespace?: string;
  Partition?: string;
}

/** api.ACLPolicyListEntry. */
export type AclPolicyListEntry = Omit<AclPolicy, 'Rules'>;

/** api.ACLRole. */
export interface AclRole {
  ID: string;
  Name: string;
  Description: string;
  Policies?: AclLink[] | null;
  ServiceIdentities?: AclServiceIdentity[] | null;
  NodeIdentities?: AclNodeIdentity[] | null;
  TemplatedPolicies?: AclTemplatedPolicy[] | null;
  Hash?: string | null;
  CreateIndex?: number;
  ModifyIndex?: number;
  Namespace?: string;
  Partition?: string;
}

/** A link the CLI sends: by name or by ID (the agent resolves the other half). */
export type AclLinkRef = { ID: string; Name?: undefined } | { Name: string; ID?: undefined };

export interface AclTokenWrite {
  AccessorID?: string;
  SecretID?: string;
  Description: string;
  Policies?: AclLinkRef[];
  Roles?: AclLinkRef[];
  ServiceIdentities?: AclServiceIdentity[];
  NodeIdentities?: AclNodeIdentity[];
  Local: boolean;
  /** Nanoseconds, as Go's api.ACLToken marshals a time.Duration. */
  ExpirationTTL?: number;
  [field: string]: unknown;
}

export interface AclPolicyWrite {
  ID?: string;
  Name: string;
  Description: string;
  Rules: string;
  Datacenters: string[] | null;
}

export interface AclRoleWrite {
  ID?: string;
  Name: string;
  Description: string;
  Policies?: AclLinkRef[] | AclLink[] | null;
  ServiceIdentities?: AclServiceIdentity[] | null;
  NodeIdentities?: AclNodeIdentity[] | null;
  [field: string]: unknown;
}

/** The agent token types of `consul acl set-agent-token` and their /v1/agent/token/<path>. */
export const AGENT_TOKEN_PATHS = {
  default: 'default',
  agent: 'agent',
  recovery: 'agent_recovery',
  replication: 'replication',
  config_file_service_registration: 'config_file_service_registration',
} as const;
export type AgentTokenType = keyof typeof AGENT_TOKEN_PATHS;

export class AclApi {
  constructor(private readonly http: HttpTransport) {}

  /** PUT /v1/acl/bootstrap; a given secret is sent as BootstrapSecret (api: BootstrapWithToken). */
  async bootstrap(secret = ''): Promise<AclToken> {
    const body = secret === '' ? undefined : JSON.stringify({ BootstrapSecret: secret });
    return parseJson<AclToken>(await this.http.sendOk({ method: 'PUT', path: '/v1/acl/bootstrap', ...(body ? { body } : {}) }));
  }

  async tokenCreate(token: AclTokenWrite): Promise<AclToken> {
    return parseJson<AclToken>(await this.http.sendOk({ method: 'PUT', path: '/v1/acl/token', body: JSON.stringify(token) }));
  }

  async tokenUpdate(token: AclTokenWrite & { AccessorID: string }): Promise<AclToken> {
    const res = await this.http.sendOk({ method: 'PUT', path: `/v1/acl/token/${token.AccessorID}`, body: JSON.stringify(token) });
    return parseJson<AclToken>(res);
  }

  async tokenClone(accessorId: string, description: string): Promise<AclToken> {
    const body = JSON.stringify({ Description: description });
    return parseJson<AclToken>(await this.http.sendOk({ method: 'PUT', path: `/v1/acl/token/${accessorId}/clone`, body }));
  }

  async tokenDelete(accessorId: string): Promise<void> {
    await this.http.sendOk({ method: 'DELETE', path: `/v1/acl/token/${accessorId}` });
  }

  async tokenRead(accessorId: string): Promise<AclToken> {
    return parseJson<AclToken>(await this.http.sendOk({ method: 'GET', path: `/v1/acl/token/${accessorId}` }));
  }

  async tokenReadSelf(): Promise<AclToken> {
    return parseJson<AclToken>(await this.http.sendOk({ method: 'GET', path: '/v1/acl/token/self' }));
  }

  async tokenList(): Promise<AclTokenListEntry[]> {
    return parseJson<AclTokenListEntry[] | null>(await this.http.sendOk({ method: 'GET', path: '/v1/acl/tokens' })) ?? [];
  }

  async policyCreate(policy: AclPolicyWrite): Promise<AclPolicy> {
    return parseJson<AclPolicy>(await this.http.sendOk({ method: 'PUT', path: '/v1/acl/policy', body: JSON.stringify(policy) }));
  }

  async policyUpdate(policy: AclPolicyWrite & { ID: string }): Promise<AclPolicy> {
    const res = await this.http.sendOk({ method: 'PUT', path: `/v1/acl/policy/${policy.ID}`, body: JSON.stringify(policy) });
    return parseJson<AclPolicy>(res);
  }

  async policyDelete(id: string): Promise<void> {
    await this.http.sendOk({ method: 'DELETE', path: `/v1/acl/policy/${id}` });
  }

  async policyRead(id: string): Promise<AclPolicy> {
    return parseJson<AclPolicy>(await this.http.sendOk({ method: 'GET', path: `/v1/acl/policy/${id}` }));
  }

  /** GET /v1/acl/policy/name/:name; null on 404 (api: requireNotFoundOrOK). */
  async policyReadByName(name: string): Promise<AclPolicy | null> {
    return this.readOrNull<AclPolicy>(`/v1/acl/policy/name/${name}`);
  }

  async policyList(): Promise<AclPolicyListEntry[]> {
    return parseJson<AclPolicyListEntry[] | null>(await this.http.sendOk({ method: 'GET', path: '/v1/acl/policies' })) ?? [];
  }

  async roleCreate(role: AclRoleWrite): Promise<AclRole> {
    return parseJson<AclRole>(await this.http.sendOk({ method: 'PUT', path: '/v1/acl/role', body: JSON.stringify(role) }));
  }

  async roleUpdate(role: AclRoleWrite & { ID: string }): Promise<AclRole> {
    const res = await this.http.sendOk({ method: 'PUT', path: `/v1/acl/role/${role.ID}`, body: JSON.stringify(role) });
    return parseJson<AclRole>(res);
  }

  async roleDelete(id: string): Promise<void> {
    await this.http.sendOk({ method: 'DELETE', path: `/v1/acl/role/${id}` });
  }

  /** GET /v1/acl/role/:id; null on 404. */
  async roleRead(id: string): Promise<AclRole | null> {
    return this.readOrNull<AclRole>(`/v1/acl/role/${id}`);
  }

  /** GET /v1/acl/role/name/:name; null on 404. */
  async roleReadByName(name: string): Promise<AclRole | null> {
    return this.readOrNull<AclRole>(`/v1/acl/role/name/${name}`);
  }

  async roleList(): Promise<AclRole[]> {
    return parseJson<AclRole[] | null>(await this.http.sendOk({ method: 'GET', path: '/v1/acl/roles' })) ?? [];
  }

  /**
   * PUT /v1/agent/token/<type> with {"Token": ...}. For `recovery`, an agent that predates the
   * agent_recovery path answers 404 and the legacy agent_master path is tried (api/agent.go).
   */
  async setAgentToken(type: AgentTokenType, token: string): Promise<void> {
    const body = JSON.stringify({ Token: token });
    const res = await this.http.send({ method: 'PUT', path: `/v1/agent/token/${AGENT_TOKEN_PATHS[type]}`, body });
    if (res.statusCode === 404 && type === 'recovery') {
      await this.http.sendOk({ method: 'PUT', path: '/v1/agent/token/agent_master', body });
      return;
    }
    if (res.statusCode < 200 || res.statusCode > 299) throw new StatusError(res.statusCode, res.body.toString('utf8'));
  }

  private async readOrNull<T>(path: string): Promise<T | null> {
    const res = await this.http.send({ method: 'GET', path });
    if (res.statusCode === 404) return null;
    if (res.statusCode < 200 || res.statusCode > 299) throw new StatusError(res.statusCode, res.body.toString('utf8'));
    return parseJson<T>(res);
  }
}
