// The `acl` block's keys and the deprecated top-level ACL keys, validated with zod (Consul:
// agent/config/config.go ACL, deprecated.go DeprecatedConfig). Kept apart from config/acl.ts so the
// file schema can import it without an import cycle through load.ts.
import { z } from 'zod';

const duration = z.union([z.string(), z.number()]);

export const AclTokensSchema = z
  .strictObject({
    initial_management: z.string(),
    agent: z.string(),
    default: z.string(),
    agent_recovery: z.string(),
    replication: z.string(),
    config_file_service_registration: z.string(),
    dns: z.string(),
    // Older names Consul still reads (moved by applyDeprecatedAcl with a warning).
    master: z.string(),
    agent_master: z.string(),
  })
  .partial();

export const AclSchema = z
  .strictObject({
    enabled: z.boolean(),
    default_policy: z.string(),
    down_policy: z.string(),
    enable_token_persistence: z.boolean(),
    enable_token_replication: z.boolean(),
    enable_key_list_policy: z.boolean(),
    token_ttl: duration,
    policy_ttl: duration,
    role_ttl: duration,
    msp_disable_bootstrap: z.boolean(),
    tokens: AclTokensSchema,
  })
  .partial();

/** The deprecated top-level keys (DeprecatedConfig's ACL fields), for the file schema. */
export const DeprecatedAclKeysSchema = {
  acl_datacenter: z.string(),
  acl_master_token: z.string(),
  acl_default_policy: z.string(),
  acl_down_policy: z.string(),
  acl_token: z.string(),
  acl_agent_token: z.string(),
  acl_agent_master_token: z.string(),
  acl_replication_token: z.string(),
  acl_ttl: duration,
  enable_acl_replication: z.boolean(),
  acl_enable_key_list_policy: z.boolean(),
};

