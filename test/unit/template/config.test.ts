// consul-template configuration and command line: HCL/JSON files, the older top-level forms,
// mapstructure-worded errors, -template/-wait parsing and Go `flag` semantics.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { applyConfigObject, ConfigError, defaultConfig, finalizeConfig, loadConfigPath, parseConfigText, parseTemplateFlag, parseWait } from '../../../src/core/template/index.js';
import { FlagError, parseGoFlags } from '../../../src/core/template/flags.js';
import { tmpDir } from '../../support/tmp-dir.js';

const dir = tmpDir('ct-config-');
after(() => dir.remove());

const fromHcl = (text: string) => finalizeConfig(applyConfigObject(defaultConfig(), parseConfigText(text, 'x.hcl'), 'x.hcl'));

test('the walkthrough HCL file: legacy consul and retry, max_stale, log_level, pid_file, one template', () => {
  const c = fromHcl(`consul = "127.0.0.1:8500"
retry = "5s"
max_stale = "10m"
log_level = "info"
pid_file = "/run/ct.pid"
template {
  source = "/etc/nginx/default.conf.tmpl"
  destination = "/etc/nginx/conf.d/default.conf"
  command = "service nginx reload"
}
`);
  assert.equal(c.consul.address, '127.0.0.1:8500');
  assert.equal(c.consul.retry.backoffMs, 5000);
  assert.equal(c.maxStaleMs, 600_000);
  assert.equal(c.logLevel, 'info');
  assert.equal(c.pidFile, '/run/ct.pid');
  assert.equal(c.templates.length, 1);
  assert.deepEqual(
    { s: c.templates[0]!.source, d: c.templates[0]!.destination, c: c.templates[0]!.command, t: c.templates[0]!.commandTimeoutMs },
    { s: '/etc/nginx/default.conf.tmpl', d: '/etc/nginx/conf.d/default.conf', c: 'service nginx reload', t: 30_000 },
  );
});

test('consul block, retry block, wait block, several templates with every key', () => {
  const c = fromHcl(`consul {
  address = "10.0.0.1:8500"
  token = "abc"
  retry { enabled = true, attempts = 3, backoff = "1s", max_backoff = "10s" }
}
wait { min = "2s" max = "10s" }
template {
  contents = "{{ key \\"a\\" }}"
  destination = "/tmp/a"
  command_timeout = "5s"
  perms = "0600"
  backup = true
  left_delimiter = "[["
  right_delimiter = "]]"
  wait = "1s:3s"
  error_on_missing_key = true
}
template {
  source = "b.tmpl"
  destination = "/tmp/b"
}
`);
  assert.deepEqual(c.consul.retry, { enabled: true, attempts: 3, backoffMs: 1000, maxBackoffMs: 10_000 });
  assert.equal(c.consul.token, 'abc');
  assert.deepEqual(c.wait, { minMs: 2000, maxMs: 10_000 });
  const [a, b] = c.templates;
  assert.equal(a!.perms, 0o600);
  assert.equal(a!.backup, true);
  assert.equal(a!.leftDelim, '[[');
  assert.deepEqual(a!.wait, { minMs: 1000, maxMs: 3000 });
  assert.equal(a!.errorOnMissingKey, true);
  assert.equal(a!.commandTimeoutMs, 5000);
  assert.equal(b!.source, 'b.tmpl');
});

test('JSON config files and directories merge left to right, templates accumulate', () => {
  const d = path.join(dir.path, 'conf.d');
  mkdirSync(d);
  writeFileSync(path.join(d, '1.json'), JSON.stringify({ consul: { address: 'a:1' }, template: [{ source: 's1', destination: 'd1' }] }));
  writeFileSync(path.join(d, '2.hcl'), 'consul { address = "b:2" }\ntemplate {\n source = "s2"\n destination = "d2"\n}\n');
  const c = loadConfigPath(defaultConfig(), d);
  assert.equal(c.consul.address, 'b:2');
  assert.deepEqual(c.templates.map((t) => t.source), ['s1', 's2']);
});

test('unknown keys, bad durations and missing files are refused with clear messages', () => {
  assert.throws(
    () => fromHcl('bogus = 1\nconsul { adress = "x" }\ntemplate {\n source = "a"\n dest = "b"\n}\n'),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        "from file: x.hcl: mapstructure decode failed: 3 error(s) decoding:\n\n* '' has invalid keys: bogus\n* 'consul' has invalid keys: adress\n* 'template[0]' has invalid keys: dest",
  );
  assert.throws(() => fromHcl('max_stale = "ten"'), /error decoding 'max_stale': time: invalid duration "ten"/);
  assert.throws(() => fromHcl('template {\n destination = "x"\n}\n'), /must specify exactly one of 'source' or 'contents'/);
  assert.throws(() => fromHcl('template {\n source = "a"\n contents = "b"\n}\n'), /cannot specify both 'source' and 'contents'/);
  assert.throws(() => loadConfigPath(defaultConfig(), path.join(dir.path, 'nope.hcl')), /missing file\/folder: .*nope\.hcl/);
  assert.throws(() => parseConfigText('template {', 'y.hcl'), /from file: y\.hcl: error decoding config: /);
});

test('-template "source:destination:command" and -wait "min[:max]"', () => {
  const t = parseTemplateFlag('/in.ctmpl:/out:service nginx reload');
  assert.deepEqual([t.source, t.destination, t.command], ['/in.ctmpl', '/out', 'service nginx reload']);
  assert.equal(parseTemplateFlag('/in:/out:sh -c "a:b"').command, 'sh -c "a:b"');
  assert.equal(parseTemplateFlag('/in').destination, '');
  assert.deepEqual(parseWait('5s'), { minMs: 5000, maxMs: 20_000 });
  assert.deepEqual(parseWait('5s:10s'), { minMs: 5000, maxMs: 10_000 });
  assert.throws(() => parseWait('10s:5s'), /min must be less than max/);
});

test('Go flag semantics: -f v, -f=v, --f, booleans, errors', () => {
  const got: string[] = [];
  const specs = {
    template: { set: (v: string) => void got.push(`t=${v}`) },
    once: { bool: true, set: (v: string) => void got.push(`once=${v}`) },
  };
  assert.deepEqual(parseGoFlags(['-template', 'a:b', '--template=c:d', '-once', '-once=false', 'rest', '-template', 'x'], specs), ['rest', '-template', 'x']);
  assert.deepEqual(got, ['t=a:b', 't=c:d', 'once=true', 'once=false']);
  assert.throws(() => parseGoFlags(['-nope'], specs), (e: unknown) => e instanceof FlagError && e.message === 'flag provided but not defined: -nope');
  assert.throws(() => parseGoFlags(['-template'], specs), { message: 'flag needs an argument: -template' });
  assert.throws(() => parseGoFlags(['-once=maybe'], specs), { message: 'invalid boolean value "maybe" for -once: parse error' });
  assert.deepEqual(parseGoFlags(['--', '-once'], specs), ['-once']);
});
