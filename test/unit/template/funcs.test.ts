// consul-template's functions over a brain: used/missing dependencies, dependency names and
// parse errors, ls/tree filtering, defaults, and the helpers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Brain } from '../../../src/core/template/brain.js';
import { newTemplateConfig } from '../../../src/core/template/config.js';
import { HealthService, KeyPair, ServiceTags, stringMap } from '../../../src/core/template/dependency/index.js';
import { CatalogNodesQuery, HealthServiceQuery, KVGetQuery, KVListQuery } from '../../../src/core/template/dependency/index.js';
import { ConsulTemplate } from '../../../src/core/template/template.js';

function tmpl(contents: string, opts: { errorOnMissingKey?: boolean } = {}): ConsulTemplate {
  const c = newTemplateConfig();
  c.contents = contents;
  c.destination = '/dev/null';
  c.errorOnMissingKey = opts.errorOnMissingKey ?? false;
  return new ConsulTemplate(c, { HOME: '/home/x' });
}

const kp = (path: string, key: string, value: string) => new KeyPair(path, key, value, 1, 1, 0, 0, '');
const svc = (node: string, id: string, port: number, tags: string[] = []) =>
  new HealthService(node, '', '10.0.0.1', stringMap({}), stringMap({}), stringMap({ v: '1' }), '10.0.0.1', {}, id, 'web', ServiceTags.from2(tags), [], 'passing', port, {});

test('dependency strings: names as consul-template prints them, and its parse errors', () => {
  assert.equal(new HealthServiceQuery('web@dc1|passing').id, 'health.service(web@dc1|passing)');
  assert.equal(new HealthServiceQuery('web').id, 'health.service(web|passing)');
  assert.equal(new HealthServiceQuery('release.web@dc2|warning,critical').id, 'health.service(release.web@dc2|critical,warning)');
  assert.equal(new CatalogNodesQuery('').id, 'catalog.nodes');
  assert.equal(new CatalogNodesQuery('@dc2').id, 'catalog.nodes(@dc2)');
  assert.equal(new KVGetQuery('/a/b').id, 'kv.get(a/b)');
  assert.equal(new KVListQuery('web/test/maintenance').id, 'kv.list(web/test/maintenance)');
  assert.throws(() => new HealthServiceQuery('web|bogus'), { message: 'health.service: invalid filter: "bogus" in "web|bogus"' });
  assert.throws(() => new HealthServiceQuery('we b'), { message: 'health.service: invalid format: "we b"' });
});

test('a template with missing data reports what it used and what is missing, and renders empty values', () => {
  const t = tmpl('{{ range service "web@dc1" "passing" }}x{{ end }}[{{ key "a" }}][{{ keyOrDefault "b" "dflt" }}]');
  const r = t.execute(new Brain());
  assert.deepEqual(r.used.list().map((d) => d.id), ['health.service(web@dc1|passing)', 'kv.get(a)', 'kv.get(b)']);
  assert.deepEqual(r.missing.list().map((d) => d.id), ['health.service(web@dc1|passing)', 'kv.get(a)', 'kv.get(b)']);
  assert.equal(r.output, '[][dflt]');
});

test('with data in the brain: service fields, ServiceTags.Contains, key, keyOrDefault, keyExists', () => {
  const brain = new Brain();
  brain.remember('health.service(web|passing)', [svc('n1', 'web1', 8081, ['b', 'a']), svc('n2', 'web2', 8082)]);
  brain.remember('kv.get(a)', 'A');
  brain.remember('kv.get(b)', '');
  brain.remember('kv.get(c)', null);
  const r = tmpl(
    '{{ range service "web" }}{{ .Node }} {{ .Address }}:{{ .Port }} {{ .Tags }} {{ .Tags.Contains "a" }} {{ .ServiceMeta.v }}[{{ .ServiceMeta.nope }}]\n{{ end }}{{ key "a" }} {{ keyOrDefault "b" "dflt" }} {{ keyExists "c" }} {{ keyExists "a" }}',
  ).execute(brain);
  assert.equal(r.missing.size, 0);
  assert.equal(r.output, 'n1 10.0.0.1:8081 [a b] true 1[]\nn2 10.0.0.1:8082 [] false 1[]\nA dflt false true');
});

test('ls keeps top-level keys only, tree keeps every key but folders; safeLs waits for data', () => {
  const brain = new Brain();
  brain.remember('kv.list(app)', [kp('app/', '', ''), kp('app/a', 'a', '1'), kp('app/sub/', 'sub/', ''), kp('app/sub/b', 'sub/b', '2')]);
  const r = tmpl('{{ range ls "app" }}{{ .Key }}={{ .Value }};{{ end }}|{{ range tree "app" }}{{ .Key }};{{ end }}|{{ range $k, $v := tree "app" | byKey }}{{ $k }}:{{ range $v }}{{ .Key }}{{ end }};{{ end }}|{{ tree "app" | explode | toJSON }}').execute(brain);
  assert.equal(r.output, 'a=1;|a;sub/b;|sub:b;|{"a":"1","sub":{"b":"2"}}');
  brain.remember('kv.list(empty)', []);
  assert.equal(tmpl('{{ ls "empty" }}').execute(brain).missing.size, 0);
  assert.equal(tmpl('{{ safeLs "empty" }}').execute(brain).missing.size, 1);
});

test('helpers: strings, JSON, math in consul-template argument order, byTag, scratch, env', () => {
  const brain = new Brain();
  brain.remember('catalog.services', []);
  const out = tmpl(
    '{{ "a,b,c" | split "," | join "-" }} {{ replaceAll "o" "0" "foo" }} {{ toUpper "x" }}{{ toLower "Y" }} [{{ trimSpace "  t  " }}] ' +
      '{{ 5 | add 2 }} {{ 5 | subtract 2 }} {{ 5 | multiply 2 }} {{ 7 | divide 2 }} {{ 1.5 | add 1 }} ' +
      '{{ contains "b" ("a,b" | split ",") }} {{ toJSON (parseJSON "{\\"z\\":1,\\"a\\":\\"<\\"}") }} {{ env "HOME" }} ' +
      '{{ scratch.Set "k" "v" }}{{ scratch.Get "k" }} {{ scratch.Key "k" }} {{ timestamp "unix" | len | lt 5 }}',
  ).execute(brain).output;
  assert.equal(out, 'a-b-c f00 Xy [t] 7 3 10 3 2.5 true {"a":"\\u003c","z":1} /home/x v true true');
  const pretty = tmpl('{{ parseJSON "{\\"b\\":[1,2],\\"a\\":{}}" | toJSONPretty }}').execute(brain).output;
  assert.equal(pretty, '{\n  "a": {},\n  "b": [\n    1,\n    2\n  ]\n}');
  brain.remember('health.service(web|passing)', [svc('n1', 'web1', 1, ['x', 'y']), svc('n2', 'web2', 2, ['y'])]);
  assert.equal(tmpl('{{ range $tag, $s := service "web" | byTag }}{{ $tag }}={{ len $s }};{{ end }}').execute(brain).output, 'x=1;y=2;');
  assert.throws(() => tmpl('{{ 1 | divide 0 }}').execute(brain), /error calling divide: runtime error: integer divide by zero/);
});

test('executeTemplate runs a defined template with data', () => {
  const out = tmpl('{{ define "row" }}<{{ . }}>{{ end }}{{ executeTemplate "row" "a" | toUpper }}{{ executeTemplate "row" }}').execute(new Brain()).output;
  assert.equal(out, '<A><<no value>>');
});

test('errors carry the template name and position; error_on_missing_key fails on a missing map key', () => {
  assert.throws(() => tmpl('{{ range nodes }'), { message: '(dynamic): parse: template: (dynamic):1: unexpected "}" in operand' });
  const brain = new Brain();
  assert.equal(tmpl('[{{ (parseJSON "{}").missing }}]').execute(brain).output, '[<no value>]');
  assert.throws(() => tmpl('{{ (parseJSON "{}").missing }}', { errorOnMissingKey: true }).execute(brain), /map has no entry for key "missing"/);
  assert.throws(() => tmpl('{{ service "a|nope" }}').execute(brain), /error calling service: health.service: invalid filter: "nope" in "a\|nope"/);
});
