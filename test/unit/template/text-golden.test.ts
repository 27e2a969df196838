// Golden cases of Go's text/template semantics (testdata/text-template.golden), run through the
// engine in src/core/template/text. Expectations come from Go's documentation and test suite.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Template } from '../../../src/core/template/text/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const GOLDEN = path.resolve(here, '../../../../test/unit/template/testdata/text-template.golden');

interface Case {
  name: string;
  template: string;
  data?: string;
  output?: string;
  error?: string;
}

function parseGolden(text: string): Case[] {
  const cases: Case[] = [];
  let cur: Case | undefined;
  let section: keyof Case | undefined;
  const lines = text.split('\n');
  const flush = () => {
    if (!cur) return;
    for (const k of ['template', 'data', 'output', 'error'] as const) {
      if (cur[k] !== undefined) cur[k] = cur[k]!.replace(/\n+$/, '');
    }
    cases.push(cur);
  };
  for (const line of lines) {
    if (line.startsWith('=== ')) {
      flush();
      cur = { name: line.slice(4), template: '' };
      section = undefined;
      continue;
    }
    if (!cur) continue;
    const m = /^-- (template|data|output|error)$/.exec(line);
    if (m) {
      section = m[1] as keyof Case;
      cur[section] = '';
      continue;
    }
    if (section === undefined) continue;
    if (line.startsWith('# ---- ')) continue;
    cur[section] = `${cur[section]}${line}\n`;
  }
  flush();
  return cases;
}

const cases = parseGolden(readFileSync(GOLDEN, 'utf8'));

test('the golden file has cases', () => {
  assert.ok(cases.length > 50, `only ${cases.length} cases`);
});

for (const c of cases) {
  test(`text/template: ${c.name}`, () => {
    const data: unknown = c.data === undefined ? undefined : JSON.parse(c.data);
    const run = () => new Template('t', c.template, { funcs: { nodes: () => [] } }).execute(data);
    if (c.error !== undefined) {
      assert.throws(run, (e: unknown) => {
        assert.equal((e as Error).message, c.error);
        return true;
      });
    } else {
      assert.equal(run(), c.output);
    }
  });
}

test('custom delimiters', () => {
  const t = new Template('t', '[[ .a ]] {{ .a }} [[- " x" ]]', { leftDelim: '[[', rightDelim: ']]' });
  assert.equal(t.execute({ a: 1 }), '1 {{ .a }} x');
});

test('missingkey=error names the key', () => {
  const t = new Template('t', '{{ .nope }}', { missingKey: 'error' });
  assert.throws(() => t.execute({}), { message: 'template: t:1:3: executing "t" at <.nope>: map has no entry for key "nope"' });
});

test('methods on struct values are called, fields are read', () => {
  class Svc {
    static goType = '*dependency.HealthService';
    constructor(readonly Name: string, readonly Tags: string[]) {}
    HasTag(t: string): boolean {
      return this.Tags.includes(t);
    }
  }
  const t = new Template('t', '{{ range . }}{{ .Name }}:{{ .HasTag "a" }} {{ end }}{{ (index . 0).Nope }}');
  assert.throws(() => t.execute([new Svc('web', ['a'])]), {
    message: /can't evaluate field Nope in type \*dependency.HealthService$/,
  });
  assert.equal(new Template('t', '{{ range . }}{{ .Name }}:{{ .HasTag "a" }} {{ end }}').execute([new Svc('web', ['a']), new Svc('db', [])]), 'web:true db:false ');
});
