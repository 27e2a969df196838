// The `acl` block as the agent uses it, and the deprecated top-level ACL keys Consul still accepts
// (Consul: agent/config/config.go ACL, builder.go's ACL parts, deprecated.go applyDeprecatedConfig).
import { DeprecatedAclKeysSchema } from './acl-schema.js';
import { configDurationMs } from './durations.js';
import { ConfigError } from './load.js';
import { deprecationWarning } from './deprecated.js';
import type { FileConfig } from './schema.js';

export type DownPolicy = 'allow' | 'deny' | 'extend-cache' | 'async-cache';

export interface AclTokensRuntime {
  initialManagement: string;
  agent: string;
  default: string;
  agentRecovery: string;
  replication: string;
}

export interface AclRuntime {
  enabled: boolean;
  defaultPolicy: 'allow' | 'deny';
  downPolicy: DownPolicy;
  enableTokenPersistence: boolean;
  enableTokenReplication: boolean;
  enableKeyListPolicy: boolean;
  /** How long a client agent trusts a resolved token (Consul's default 30s). */
  tokenTtlMs: number;
  policyTtlMs: number;
  roleTtlMs: number;
  tokens: AclTokensRuntime;
}

export function buildAclRuntime(a: FileConfig['acl']): AclRuntime {
  const defaultPolicy = a?.default_policy ?? 'allow';
  if (defaultPolicy !== 'allow' && defaultPolicy !== 'deny') throw new ConfigError(`Unsupported default ACL policy: ${defaultPolicy}`);
  const downPolicy = a?.down_policy ?? 'extend-cache';
  if (!['allow', 'deny', 'extend-cache', 'async-cache'].includes(downPolicy)) throw new ConfigError(`Unsupported down ACL policy: ${downPolicy}`);
  const t = a?.tokens ?? {};
  return {
    enabled: a?.enabled ?? false,
    defaultPolicy,
    downPolicy: downPolicy as DownPolicy,
    enableTokenPersistence: a?.enable_token_persistence ?? false,
    enableTokenReplication: a?.enable_token_replication ?? false,
    enableKeyListPolicy: a?.enable_key_list_policy ?? false,
    tokenTtlMs: configDurationMs(a?.token_ttl, 'acl.token_ttl', 30_000),
    policyTtlMs: configDurationMs(a?.policy_ttl, 'acl.policy_ttl', 30_000),
    roleTtlMs: configDurationMs(a?.role_ttl, 'acl.role_ttl', 30_000),
    tokens: {
      initialManagement: t.initial_management ?? '',
      agent: t.agent ?? '',
      default: t.default ?? '',
      agentRecovery: t.agent_recovery ?? '',
      replication: t.replication ?? '',
    },
  };
}

type AclFile = NonNullable<FileConfig['acl']>;
type AclTokensFile = NonNullable<AclFile['tokens']>;

/**
 * Consul's applyDeprecatedConfig, ACL part, in its order: each old key fills its new key unless
 * that is set, and yields the deprecation warning. `acl_datacenter` also turns ACLs on.
 */
export function applyDeprecatedAcl(f: FileConfig): { config: FileConfig; warnings: string[] } {
  const warnings: string[] = [];
  const config: FileConfig = { ...f };
  const acl: AclFile = { ...(f.acl ?? {}) };
  const tokens: AclTokensFile = { ...(acl.tokens ?? {}) };
  const moveToken = (value: string | undefined, to: keyof AclTokensFile, oldName: string, newName: string): void => {
    if (value === undefined) return;
    if (tokens[to] === undefined) tokens[to] = value;
    warnings.push(deprecationWarning(oldName, newName));
  };
  const moveAcl = <K extends keyof AclFile>(value: AclFile[K] | undefined, to: K, oldName: string, newName: string): void => {
    if (value === undefined) return;
    if (acl[to] === undefined) acl[to] = value;
    warnings.push(deprecationWarning(oldName, newName));
  };
  moveToken(tokens.agent_master, 'agent_recovery', 'acl.tokens.agent_master', 'acl.tokens.agent_recovery');
  delete tokens.agent_master;
  moveToken(f.acl_agent_master_token, 'agent_recovery', 'acl_agent_master_token', 'acl.tokens.agent_recovery');
  moveToken(f.acl_agent_token, 'agent', 'acl_agent_token', 'acl.tokens.agent');
  moveToken(f.acl_token, 'default', 'acl_token', 'acl.tokens.default');
  moveToken(tokens.master, 'initial_management', 'acl.tokens.master', 'acl.tokens.initial_management');
  delete tokens.master;
  moveToken(f.acl_master_token, 'initial_management', 'acl_master_token', 'acl.tokens.initial_management');
  if (f.acl_replication_token !== undefined) {
    moveToken(f.acl_replication_token, 'replication', 'acl_replication_token', 'acl.tokens.replication');
    acl.enable_token_replication = true;
  }
  moveAcl(f.enable_acl_replication, 'enable_token_replication', 'enable_acl_replication', 'acl.enable_token_replication');
  if (f.acl_datacenter !== undefined) {
    if (config.primary_datacenter === undefined) config.primary_datacenter = f.acl_datacenter;
    acl.enabled = true; // acl_datacenter implicitly enables ACLs
    warnings.push(deprecationWarning('acl_datacenter', 'primary_datacenter'));
  }
  moveAcl(f.acl_default_policy, 'default_policy', 'acl_default_policy', 'acl.default_policy');
  moveAcl(f.acl_down_policy, 'down_policy', 'acl_down_policy', 'acl.down_policy');
  moveAcl(f.acl_ttl, 'token_ttl', 'acl_ttl', 'acl.token_ttl');
  moveAcl(f.acl_enable_key_list_policy, 'enable_key_list_policy', 'acl_enable_key_list_policy', 'acl.enable_key_list_policy');
  for (const k of Object.keys(DeprecatedAclKeysSchema) as (keyof typeof DeprecatedAclKeysSchema)[]) delete config[k];
  if (Object.keys(tokens).length > 0) acl.tokens = tokens;
  if (Object.keys(acl).length > 0) config.acl = acl;
  return { config, warnings };
}
