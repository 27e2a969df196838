import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runConsul } from './fake-agent.js';

describe('consul validate', { timeout: 60_000 }, () => {
  let dir: string;
  const run = (...args: string[]) => runConsul(args, { addr: '127.0.0.1:1' });
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'consul-validate-'));
    writeFileSync(join(dir, 'ok.json'), JSON.stringify({ data_dir: '/tmp/consul', node_name: 'n1', service: { name: 'web', port: 80 } }));
    writeFileSync(
      join(dir, 'ok.hcl'),
      `data_dir = "/tmp/consul"
/* block comment */
ports {
  http = 8501 // trailing comment
}
services {
  name = "a"
}
services {
  name = "b"
}
`,
    );
    writeFileSync(join(dir, 'unknown-key.json'), JSON.stringify({ data_dir: '/tmp/c', bogus_key: true }));
    writeFileSync(join(dir, 'no-data-dir.json'), JSON.stringify({ node_name: 'n1' }));
    writeFileSync(join(dir, 'broken.hcl'), 'data_dir = "/tmp/c"\nports {\n  http = \n}\n');
    writeFileSync(join(dir, 'conf.txt'), 'data_dir = "/tmp/consul"\n');
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', '10-base.json'), JSON.stringify({ data_dir: '/tmp/consul' }));
    writeFileSync(join(dir, 'd', '20-more.hcl'), 'log_level = "debug"\n');
    writeFileSync(join(dir, 'd', 'ignored.txt'), 'not config');
  });

  it('accepts valid JSON and HCL files and directories', async () => {
    for (const target of [join(dir, 'ok.json'), join(dir, 'ok.hcl'), join(dir, 'd')]) {
      const r = await run('validate', target);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'Configuration is valid!\n', ''], target);
    }
    const both = await run('validate', join(dir, 'ok.json'), join(dir, 'ok.hcl'));
    assert.equal(both.code, 0);
  });

  it('-quiet prints nothing on success', async () => {
    const r = await run('validate', '-quiet', join(dir, 'ok.json'));
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', '']);
  });

  it('reports failures as Config validation failed, exit 1', async () => {
    const unknown = await run('validate', join(dir, 'unknown-key.json'));
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stdout, '');
    assert.match(unknown.stderr, /^Config validation failed: failed to parse .*unknown-key\.json: 1 error occurred:\n\t\* invalid config key bogus_key\n/);
    const noDataDir = await run('validate', join(dir, 'no-data-dir.json'));
    assert.deepEqual([noDataDir.code, noDataDir.stderr], [1, 'Config validation failed: data_dir cannot be empty\n']);
    const broken = await run('validate', join(dir, 'broken.hcl'));
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /^Config validation failed: failed to parse .*broken\.hcl: At 4:1: /);
    const missing = await run('validate', join(dir, 'nope.json'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^Config validation failed: Error reading .*nope\.json/);
  });

  it('needs at least one path', async () => {
    const r = await run('validate');
    assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', 'Must specify at least one config file or directory\n']);
  });

  it('-config-format forces the parser whatever the extension', async () => {
    const hcl = await run('validate', '-config-format=hcl', join(dir, 'conf.txt'));
    assert.deepEqual([hcl.code, hcl.stdout], [0, 'Configuration is valid!\n']);
    const json = await run('validate', '-config-format=json', join(dir, 'conf.txt'));
    assert.equal(json.code, 1);
    assert.match(json.stderr, /^Config validation failed: failed to parse .*conf\.txt: /);
    const bad = await run('validate', '-config-format=yaml', join(dir, 'conf.txt'));
    assert.deepEqual([bad.code, bad.stderr], [1, "-config-format must be either 'hcl' or 'json\n"]);
  });
});
