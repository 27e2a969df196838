// The agent's own ACL tokens (Consul: agent/token/store.go and persistence.go): default (used for
// requests that carry none), agent (the agent's own calls), agent_recovery (local /v1/agent/*
// access without servers) and replication. Set by config or by PUT /v1/agent/token/:type; with
// acl.enable_token_persistence the API-set ones are kept in <data-dir>/acl-tokens.json and, at
// start, win over the configured ones (with Consul's warning).
//
// MUST: a secret never reaches a log line or an error text.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AclTokensRuntime } from '../config/acl.js';

export type AgentTokenKind = 'default' | 'agent' | 'agentRecovery' | 'replication';

/** PUT /v1/agent/token/<name> names (current and legacy) -> the token they set (Consul's switch). */
export const AGENT_TOKEN_NAMES: Readonly<Record<string, AgentTokenKind>> = {
  default: 'default',
  acl_token: 'default',
  agent: 'agent',
  acl_agent_token: 'agent',
  agent_recovery: 'agentRecovery',
  agent_master: 'agentRecovery',
  acl_agent_master_token: 'agentRecovery',
  replication: 'replication',
  acl_replication_token: 'replication',
};

/** Consul: token.tokensPath. */
export const TOKENS_FILE = 'acl-tokens.json';

const PERSISTED_KEYS: Readonly<Record<AgentTokenKind, string>> = {
  default: 'default',
  agent: 'agent',
  agentRecovery: 'agent_recovery',
  replication: 'replication',
};

type Source = 'config' | 'api';

export class AgentTokens {
  private readonly values = new Map<AgentTokenKind, { token: string; source: Source }>();
  private readonly file: string | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    config: AclTokensRuntime,
    opts: { persist: boolean; dataDir: string },
    private readonly warn: (msg: string) => void,
  ) {
    this.file = opts.persist && opts.dataDir ? path.join(opts.dataDir, TOKENS_FILE) : undefined;
    this.values.set('default', { token: config.default, source: 'config' });
    this.values.set('agent', { token: config.agent, source: 'config' });
    this.values.set('agentRecovery', { token: config.agentRecovery, source: 'config' });
    this.values.set('replication', { token: config.replication, source: 'config' });
  }

  get(kind: AgentTokenKind): string {
    return this.values.get(kind)?.token ?? '';
  }

  /** Read the persisted file (when persistence is on): its tokens replace the configured ones. */
  async load(): Promise<void> {
    if (!this.file) return;
    let raw: string;
    try {
      raw = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.warn(`unable to load persisted tokens: error="failed reading tokens file "${this.file}": ${(err as Error).message}"`);
      return;
    }
    let parsed: Record<string, unknown>;
    try {
      const v: unknown = JSON.parse(raw);
      parsed = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
    } catch (err) {
      this.warn(`unable to load persisted tokens: error="failed to decode tokens file "${this.file}": ${(err as Error).message}"`);
      return;
    }
    // Tokens persisted before Consul 1.11 name the recovery token agent_master.
    if (typeof parsed.agent_recovery !== 'string' || parsed.agent_recovery === '') parsed.agent_recovery = parsed.agent_master;
    for (const [kind, key] of Object.entries(PERSISTED_KEYS) as [AgentTokenKind, string][]) {
      const v = parsed[key];
      if (typeof v !== 'string' || v === '') continue;
      if (this.get(kind) !== '') this.warn(`"${key}" token present in both the configuration and persisted token store, using the persisted token`);
      this.values.set(kind, { token: v, source: 'api' });
    }
  }

  /** Set a token from the API; persisted (atomically, 0600) before the promise resolves when enabled. */
  async set(kind: AgentTokenKind, token: string): Promise<void> {
    this.values.set(kind, { token, source: 'api' });
    if (!this.file) return;
    const file = this.file;
    const body: Record<string, string> = {};
    for (const [k, key] of Object.entries(PERSISTED_KEYS) as [AgentTokenKind, string][]) {
      const v = this.values.get(k);
      if (v && v.source === 'api' && v.token !== '') body[key] = v.token;
    }
    const write = async (): Promise<void> => {
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      const tmp = `${file}.tmp`;
      await writeFile(tmp, JSON.stringify(body), { mode: 0o600 });
      await rename(tmp, file);
    };
    const next = this.chain.then(write);
    this.chain = next.catch(() => undefined);
    try {
      await next;
    } catch (err) {
      this.warn(`failed to persist tokens: error="${(err as Error).message}"`);
      throw new Error(`Failed to persist tokens - ${(err as Error).message}`);
    }
  }
}
