// consul-template's Go text/template engine: template text (from a grammar of actions, pipelines,
// control structures, define/template/block, comments and trim markers, then mutated) parsed and
// executed over a small data value with Go's builtins. Refusals: TemplateError (parse) and
// ExecError (execution), which the runner reports with the file, line and column.
import fc from 'fast-check';
import { ExecError, Template, TemplateError } from '../../../src/core/template/text/index.js';
import { textLike, type FuzzTarget } from '../target.js';

const field = fc.constantFrom('.', '.Name', '.Tags', '.Meta.version', '.Nested.List', '$', '$x', '.Missing.Deep', '.Port');
const literal = fc.constantFrom('1', '-2', '3.5', '"str"', '`raw`', 'true', 'nil', "'c'", '0x1F');
const fn = fc.constantFrom('len', 'index', 'print', 'printf "%d %s %v %q"', 'println', 'eq', 'ne', 'lt', 'and', 'or', 'not', 'html', 'js', 'urlquery', 'slice');
const operand = fc.oneof(field, literal);
const pipeline = fc.oneof(operand, fc.tuple(fn, fc.array(operand, { maxLength: 3 })).map(([f, args]) => `${f} ${args.join(' ')}`), fc.tuple(operand, fn).map(([a, f]) => `${a} | ${f}`));
const action = (inner: string): string => `{{${inner}}}`;
const body: fc.Arbitrary<string> = fc.letrec<{ b: string }>((tie) => ({
  b: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('text ', '\n', '{{/* c */}}', '{{- " trim" -}}', '{{.}}', '{{$x := 1}}', '{{$x = 2}}'),
    pipeline.map(action),
    fc.tuple(pipeline, tie('b')).map(([p, b]) => `{{if ${p}}}${b}{{else}}no{{end}}`),
    fc.tuple(pipeline, tie('b')).map(([p, b]) => `{{range $i, $e := ${p}}}${b}{{else}}none{{end}}`),
    fc.tuple(pipeline, tie('b')).map(([p, b]) => `{{with ${p}}}${b}{{end}}`),
    tie('b').map((b) => `{{define "t"}}${b}{{end}}{{template "t" .}}`),
    tie('b').map((b) => `{{block "blk" .}}${b}{{end}}`),
    fc.tuple(tie('b'), tie('b')).map(([a, b]) => a + b),
  ),
})).b;

const DATA = { Name: 'web', Port: 80, Tags: ['a', 'b'], Meta: { version: '1' }, Nested: { List: [1, 2, 3] } };

export const templateTarget: FuzzTarget<string> = {
  name: 'template',
  surface: 'consul-template templates (Go text/template: lexer, parser, executor, builtins, printf)',
  arbitrary: textLike(body),
  refusals: [TemplateError, ExecError],
  run(text) {
    new Template('fuzz.ctmpl', text).execute(DATA);
  },
};
