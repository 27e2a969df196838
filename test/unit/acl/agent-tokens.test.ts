// The agent's tokens and acl-tokens.json (Consul: agent/token/persistence.go): persisted tokens win
// over configured ones with Consul's warning, pre-1.11 files name the recovery token agent_master,
// only API-set tokens are written, the file is 0600, nothing is written without persistence.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AgentTokens, TOKENS_FILE } from '../../../src/core/acl/agent-tokens.js';
import { tmpDir } from '../../support/tmp-dir.js';

const config = { initialManagement: '', agent: 'cfg-agent', default: 'cfg-default', agentRecovery: '', replication: '' };

test('persisted tokens win over configured ones, with Consul warning; agent_master is read as agent_recovery', async () => {
  const dir = tmpDir();
  try {
    writeFileSync(path.join(dir.path, TOKENS_FILE), JSON.stringify({ default: 'file-default', agent_master: 'file-recovery' }));
    const warnings: string[] = [];
    const t = new AgentTokens(config, { persist: true, dataDir: dir.path }, (m) => warnings.push(m));
    await t.load();
    assert.deepEqual([t.get('default'), t.get('agent'), t.get('agentRecovery')], ['file-default', 'cfg-agent', 'file-recovery']);
    assert.deepEqual(warnings, ['"default" token present in both the configuration and persisted token store, using the persisted token']);
  } finally {
    dir.remove();
  }
});

test('set() persists only API-set tokens, 0600; without persistence nothing is written', async () => {
  const dir = tmpDir();
  try {
    const t = new AgentTokens(config, { persist: true, dataDir: dir.path }, () => undefined);
    await t.set('replication', 'api-repl');
    const file = path.join(dir.path, TOKENS_FILE);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { replication: 'api-repl' });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    await t.set('agent', 'api-agent');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { agent: 'api-agent', replication: 'api-repl' });
    const off = new AgentTokens(config, { persist: false, dataDir: dir.path + '/x' }, () => undefined);
    await off.set('default', 'd');
    assert.equal(off.get('default'), 'd');
    assert.equal(existsSync(dir.path + '/x'), false);
  } finally {
    dir.remove();
  }
});

test('a damaged tokens file is reported and the configured tokens stay', async () => {
  const dir = tmpDir();
  try {
    writeFileSync(path.join(dir.path, TOKENS_FILE), '{not json');
    const warnings: string[] = [];
    const t = new AgentTokens(config, { persist: true, dataDir: dir.path }, (m) => warnings.push(m));
    await t.load();
    assert.equal(t.get('default'), 'cfg-default');
    assert.match(warnings[0] ?? '', /^unable to load persisted tokens: error="failed to decode tokens file/);
  } finally {
    dir.remove();
  }
});
