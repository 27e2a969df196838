// The leader's ACL duty on taking leadership (Consul: agent/consul/leader.go initializeACLs): make
// sure the built-in global-management policy and the anonymous token exist, and create the
// configured initial_management token (bootstrapping with it when nobody has bootstrapped yet).
import { randomUUID } from 'node:crypto';
import { ANONYMOUS_TOKEN_ID, GLOBAL_MANAGEMENT_POLICY_ID } from '../acl/errors.js';
import { GLOBAL_MANAGEMENT_RULES } from '../acl/policy.js';
import type { AclRuntime } from '../config/acl.js';
import { aclCanBootstrap, aclPolicyGetById, aclTokenGetByAccessor, aclTokenGetBySecret } from '../state/acl.js';
import type { AclPolicyInput, AclTokenInput } from '../structs/acl.js';
import type { Logger } from '../support/logger.js';
import { policyHash, tokenHash } from './acl-json.js';
import { goTime } from './acl-endpoint.js';
import type { Server } from './server.js';

export const GLOBAL_MANAGEMENT_NAME = 'global-management';

export class AclLeaderRoutine {
  private running = false;

  constructor(
    private readonly server: Server,
    private readonly acl: AclRuntime,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (!this.acl.enabled) return;
    this.running = true;
    void this.initialize().catch((err: unknown) => this.log.error(`failed to establish ACLs: ${(err as Error).message}`));
  }

  stop(): void {
    this.running = false;
  }

  private async initialize(): Promise<void> {
    await this.server.barrier();
    if (!this.running) return;
    const store = this.server.store;
    const existing = aclPolicyGetById(store, GLOBAL_MANAGEMENT_POLICY_ID);
    if (!existing || existing.Rules !== GLOBAL_MANAGEMENT_RULES) {
      // Created once; after an upgrade that changed the built-in rules, the rules are refreshed
      // and a renamed policy keeps its name (Consul does the same).
      const policy: AclPolicyInput = {
        ID: GLOBAL_MANAGEMENT_POLICY_ID,
        Name: existing?.Name ?? GLOBAL_MANAGEMENT_NAME,
        Description: 'Builtin Policy that grants unlimited access',
        Rules: GLOBAL_MANAGEMENT_RULES,
        Hash: '',
      };
      policy.Hash = policyHash(policy);
      await this.apply({ t: 'acl-policy', v: 1, op: 'set', policies: [policy] });
      this.log.info(existing ? 'Updated global-management policy' : 'Created ACL global-management policy');
    }
    if (!this.running) return;
    if (!aclTokenGetByAccessor(store, ANONYMOUS_TOKEN_ID)) {
      const token = this.token(ANONYMOUS_TOKEN_ID, 'anonymous', 'Anonymous Token', false);
      await this.apply({ t: 'acl-token', v: 1, op: 'set', tokens: [token] });
      this.log.info('Created ACL anonymous token from configuration');
    }
    const secret = this.acl.tokens.initialManagement;
    if (this.running && secret !== '' && !aclTokenGetBySecret(store, secret)) {
      const token = this.token(randomUUID(), secret, 'Initial Management Token', true);
      if (aclCanBootstrap(store).allowed) {
        const r = await this.server.apply({ t: 'acl-bootstrap', v: 1, token, resetIndex: 0 });
        if (r.t !== 'error') {
          this.log.info('Bootstrapped ACL initial management token from configuration');
          return;
        }
      }
      await this.apply({ t: 'acl-token', v: 1, op: 'set', tokens: [token] });
      this.log.info('Created ACL initial management token from configuration');
    }
  }

  private token(accessor: string, secret: string, description: string, management: boolean): AclTokenInput {
    const token: AclTokenInput = {
      AccessorID: accessor,
      SecretID: secret,
      Description: description,
      Policies: management ? [{ ID: GLOBAL_MANAGEMENT_POLICY_ID }] : [],
      Roles: [],
      ServiceIdentities: [],
      NodeIdentities: [],
      Local: false,
      CreateTime: goTime(Date.now()),
      Hash: '',
    };
    token.Hash = tokenHash(token);
    return token;
  }

  private async apply(cmd: Parameters<Server['apply']>[0]): Promise<void> {
    const r = await this.server.apply(cmd);
    if (r.t === 'error') throw new Error(r.message);
  }
}
