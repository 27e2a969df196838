import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HclError, parseConsulHcl, parseHcl, patchSliceOfMaps } from '../../../src/core/config/hcl.js';
import { loadRuntimeConfig, readConfigPath } from '../../../src/core/config/index.js';

describe('HCL parser (HCL1 decode into interface{})', () => {
  it('decodes assignments of every literal kind', () => {
    const v = parseHcl(`
      s = "hello"
      i = 42
      neg = -7
      hex = 0x1F
      oct = 0755
      f = 1.5
      e = 1e3
      t = true
      no = false
      dotted.key-name = "x"
      "quoted key" = "y"
    `);
    assert.deepEqual(v, {
      s: 'hello',
      i: 42,
      neg: -7,
      hex: 31,
      oct: 493,
      f: 1.5,
      e: 1000,
      t: true,
      no: false,
      'dotted.key-name': 'x',
      'quoted key': 'y',
    });
  });

  it('processes string escapes and keeps interpolations verbatim', () => {
    const src = [
      'a = "tab\\there \\"q\\" back\\\\slash nl\\n \\u00e9 \\U0001F600 \\x41 \\101"',
      'b = "$' + '{lookup(var.m, "k")} and $' + '{x}"',
    ].join('\n');
    const v = parseHcl(src);
    assert.equal(v['a'], 'tab\there "q" back\\slash nl\n é 😀 A A');
    assert.equal(v['b'], '$' + '{lookup(var.m, "k")} and $' + '{x}');
  });

  it('skips #, // and /* */ comments', () => {
    const v = parseHcl(`# hash
// slashes
a = 1 # trailing
/* block
   spanning lines */ b = 2
c = "not # a comment"`);
    assert.deepEqual(v, { a: 1, b: 2, c: 'not # a comment' });
  });

  it('turns blocks and object values into lists of maps; repeated blocks accumulate', () => {
    const v = parseHcl(`
service {
  name = "web"
}
service {
  name = "db"
}
ports = { http = 1 }
empty {}
`);
    assert.deepEqual(v, { service: [{ name: 'web' }, { name: 'db' }], ports: [{ http: 1 }], empty: [{}] });
  });

  it('nests labels as keys', () => {
    const v = parseHcl(`
watch "key" { handler = "a" }
watch "prefix" { handler = "b" }
a b c { x = 1 }
`);
    assert.deepEqual(v, {
      watch: [{ key: [{ handler: 'a' }] }, { prefix: [{ handler: 'b' }] }],
      a: [{ b: [{ c: [{ x: 1 }] }] }],
    });
  });

  it('decodes lists (trailing comma, nested lists, objects as maps) and lets the last scalar win', () => {
    const v = parseHcl(`
l = [1, "two", true, [3], { k = "v" },]
multi = [
  "a",
  "b"
]
empty = []
x = 1
x = 2
`);
    assert.deepEqual(v, { l: [1, 'two', true, [3], { k: 'v' }], multi: ['a', 'b'], empty: [], x: 2 });
  });

  it('separates object items by newlines or commas', () => {
    assert.deepEqual(parseHcl('o { a = 1, b = 2 }\np = { c = 3\n d = 4 }'), { o: [{ a: 1, b: 2 }], p: [{ c: 3, d: 4 }] });
  });

  it('reads heredocs, with <<- removing the closing marker’s indentation', () => {
    const v = parseHcl(`a = <<EOF
line one
  line two
EOF
b = <<-EOT
    indented
      more
    EOT
`);
    assert.equal(v['a'], 'line one\n  line two\n');
    assert.equal(v['b'], 'indented\n  more\n');
  });

  it('reports syntax errors with line and column', () => {
    const cases: Array<[string, RegExp]> = [
      ['a = ', /^At 1:5: Unknown token/],
      ['a = "open', /^At 1:5: literal not terminated$/],
      ['service {\n  name = "x"\n', /^At 3:1: object expected closing RBRACE got: EOF$/],
      ['a b = 1', /^At 1:5: nested object expected: LBRACE got: ASSIGN$/],
      ['a 1', /^At 1:3: key 'a' expected start of object/],
      ['a = [1 2]', /^At 1:8: error parsing list, expected comma or list end/],
      ['a = bareword', /^At 1:5: Unknown token: 1:5 IDENT bareword$/],
      ['/* open', /^At 1:1: comment not terminated$/],
      ['a = "\\q"', /^At 1:6: unknown escape sequence$/],
      ['a = <<EOF\nno end\n', /^At 1:5: heredoc not terminated$/],
      ['a = 1 @', /^At 1:7: illegal char "@"$/],
    ];
    for (const [src, re] of cases) {
      assert.throws(
        () => parseHcl(src),
        (e: unknown) => e instanceof HclError && re.test(e.message),
        src,
      );
    }
  });
});

describe('Consul’s list fix-up (PatchSliceOfMaps)', () => {
  it('flattens single blocks, keeps the real lists as lists', () => {
    const v = parseConsulHcl(`
datacenter = "east"
ports { http = 8501 }
service {
  name = "web"
  check { ttl = "10s" }
  checks = [{ ttl = "5s" }]
}
services { name = "a" }
services { name = "b" }
checks { id = "c1" }
watches = [{ type = "key", key = "k" }]
`);
    assert.deepEqual(v, {
      datacenter: 'east',
      ports: { http: 8501 },
      service: { name: 'web', check: { ttl: '10s' }, checks: [{ ttl: '5s' }] },
      services: [{ name: 'a' }, { name: 'b' }],
      checks: [{ id: 'c1' }],
      watches: [{ type: 'key', key: 'k' }],
    });
  });

  it('turns an empty list into null and rejects two blocks where one object is expected', () => {
    assert.deepEqual(patchSliceOfMaps({ a: [], b: ['x'] }), { a: null, b: ['x'] });
    assert.throws(() => parseConsulHcl('service { name = "a" }\nservice { name = "b" }'), /service: \[\]map\[string\]interface\{\} with more than one element not supported/);
  });

  it('matches what the same config gives in JSON', () => {
    const hcl = parseConsulHcl(`
node_name = "n1"
node_meta { rack = "r1" }
retry_join = ["10.0.0.1", "10.0.0.2"]
acl { enabled = true, tokens { default = "t" } }
services {
  name = "api"
  connect { sidecar_service { proxy { upstreams = [{ destination_name = "db", local_bind_port = 9191 }] } } }
}
`);
    assert.deepEqual(hcl, {
      node_name: 'n1',
      node_meta: { rack: 'r1' },
      retry_join: ['10.0.0.1', '10.0.0.2'],
      acl: { enabled: true, tokens: { default: 't' } },
      services: [{ name: 'api', connect: { sidecar_service: { proxy: { upstreams: [{ destination_name: 'db', local_bind_port: 9191 }] } } } }],
    });
  });
});

describe('HCL config files through the loader', () => {
  it('reads .hcl files like JSON ones (validated by the same schema)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consul-hcl-'));
    writeFileSync(join(dir, 'a.hcl'), 'data_dir = "/tmp/x"\nserver = true\nports { http = 18500 }\nservice { name = "web" }\n');
    const [cfg] = await readConfigPath(join(dir, 'a.hcl'));
    assert.deepEqual(cfg, { data_dir: '/tmp/x', server: true, ports: { http: 18500 }, service: { name: 'web' } });
    const rt = await loadRuntimeConfig({ dev: false, paths: [dir], flags: {} });
    assert.equal(rt.ports.http, 18500);
    assert.equal(rt.server, true);
  });

  it('names the file in syntax and schema errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consul-hcl-'));
    writeFileSync(join(dir, 'bad.hcl'), 'server = "yes"\n');
    await assert.rejects(readConfigPath(join(dir, 'bad.hcl')), /failed to parse .*bad\.hcl: 1 error occurred:\n\t\* 'server' expected type 'bool'/);
    writeFileSync(join(dir, 'syntax.hcl'), 'server = \n');
    await assert.rejects(readConfigPath(join(dir, 'syntax.hcl')), /^ConfigError: failed to parse .*syntax\.hcl: At 2:1: /);
    writeFileSync(join(dir, 'unknown.hcl'), 'no_such_key = 1\n');
    await assert.rejects(readConfigPath(join(dir, 'unknown.hcl')), /invalid config key no_such_key/);
  });
});
