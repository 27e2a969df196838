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
    for (const target of [join(dir, 'ok.json'), join(dir, 'ok.hcl')]) {
      const r = await run('validate', target);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'Configuration is valid!\n', ''], target);
    }
    // Consul skips a directory's other files with a warning (builder.go sourcesFromPath).
    const d = await run('validate', join(dir, 'd'));
    assert.deepEqual(
      [d.code, d.stdout, d.stderr],
      [0, 'Configuration is valid!\n', `skipping file ${join(dir, 'd', 'ignored.txt')}, extension must be .hcl or .json, or config format must be set\n`],
    );
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
    const nope = join(dir, 'nope.json');
    assert.equal(missing.stderr, `Config validation failed: config: Open failed on ${nope}. open ${nope}: no such file or directory\n`);
    const unknownExt = await run('validate', join(dir, 'conf.txt'));
    assert.deepEqual(
      [unknownExt.code, unknownExt.stderr],
      [1, `Config validation failed: file ${join(dir, 'conf.txt')} has unknown extension; must be .hcl or .json, or config format must be set\n`],
    );
  });

  it("reports a JSON syntax error with Go's text, the file, line and column", async () => {
    const file = join(dir, 'syntax.json');
    writeFileSync(file, '{\n  "data_dir": "/tmp/c",\n  "ports": { "http": }\n}\n');
    const r = await run('validate', file);
    assert.deepEqual(
      [r.code, r.stdout, r.stderr],
      [1, '', `Config validation failed: failed to parse ${file}: invalid character '}' looking for beginning of value (line 3, column 22)\n`],
    );
    writeFileSync(file, '{"data_dir": "/tmp/c",');
    const eof = await run('validate', file);
    assert.equal(eof.stderr, `Config validation failed: failed to parse ${file}: unexpected end of JSON input (line 1, column 23)\n`);
  });

  it('rejects unknown keys in service and check definitions, as Consul', async () => {
    const file = join(dir, 'service-typo.json');
    writeFileSync(file, JSON.stringify({ data_dir: '/tmp/c', service: { name: 'nginx', tag: 'lb', port: 80, check: { http: 'http://x', interval: '1s', timout: '1s' } } }));
    const r = await run('validate', file);
    assert.deepEqual(
      [r.code, r.stderr],
      [1, `Config validation failed: failed to parse ${file}: 2 errors occurred:\n\t* invalid config key service.tag\n\t* invalid config key service.check.timout\n\n`],
    );
    // Keys Consul accepts are accepted even where this agent does not act on them yet.
    writeFileSync(
      file,
      JSON.stringify({
        data_dir: '/tmp/c',
        services: [
          { name: 'a', kind: 'typical', tags: ['x'], meta: { k: 'v' }, weights: { passing: 2, warning: 1 }, enable_tag_override: true, token: 't', namespace: 'default', partition: 'default', locality: { region: 'r' }, tagged_addresses: { lan: { address: '10.0.0.1', port: 80 } } },
          { name: 'b', port: 81, connect: { native: false, sidecar_service: { port: 21000, proxy: { upstreams: [] } } } },
          { name: 'c', kind: 'connect-proxy', port: 21001, proxy: { destination_service_name: 'b', local_service_port: 81 }, socket_path: '/tmp/s' },
        ],
      }),
    );
    const ok = await run('validate', file);
    assert.deepEqual([ok.code, ok.stderr], [0, '']);
  });

  it('accepts the deprecated ui keys with Consul\'s warnings', async () => {
    const file = join(dir, 'ui-dir.json');
    writeFileSync(file, JSON.stringify({ data_dir: '/tmp/c', ui_dir: '/usr/share/consul-ui', ui_content_path: '/consul/' }));
    const r = await run('validate', file);
    assert.deepEqual(
      [r.code, r.stdout, r.stderr],
      [0, 'Configuration is valid!\n', "The 'ui_dir' field is deprecated. Use the 'ui_config.dir' field instead.\nThe 'ui_content_path' field is deprecated. Use the 'ui_config.content_path' field instead.\n"],
    );
    writeFileSync(file, JSON.stringify({ data_dir: '/tmp/c', ui: true, ui_dir: '/usr/share/consul-ui' }));
    const both = await run('validate', file);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /^Config validation failed: Both the ui_config.enabled and ui_config.dir \(or -ui and -ui-dir\) were specified, please provide only one.\n/);
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
