// The ?filter expression language (go-bexpr): text from a query string into the parser, then the
// compiled filter over a few catalog-shaped values. Refusal: FilterError (answered with 400).
import fc from 'fast-check';
import { FilterError, compileFilter } from '../../../src/core/http/filter/index.js';
import { textLike, type FuzzTarget } from '../target.js';

const selector = fc.constantFrom('Service', 'ServiceName', 'Node', 'Tags', 'ServiceTags', 'Meta.version', 'NodeMeta["a b"]', 'Checks.Status', 'Port', 'Weights.Passing', 'X.Y.Z');
const value = fc.oneof(fc.stringMatching(/^[a-z0-9.*+?()[\]|^$\\-]{0,12}$/).map((s) => JSON.stringify(s)), fc.constantFrom('80', 'true', 'web', '`raw`', '"(a+)+$"', '""'));
const match = fc.oneof(
  fc.tuple(selector, fc.constantFrom('==', '!=', 'contains', 'not contains', 'matches', 'not matches'), value).map(([s, op, v]) => `${s} ${op} ${v}`),
  fc.tuple(selector, fc.constantFrom('is empty', 'is not empty')).map(([s, op]) => `${s} ${op}`),
  fc.tuple(value, fc.constantFrom('in', 'not in'), selector).map(([v, op, s]) => `${v} ${op} ${s}`),
);
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof({ depthSize: 'small' }, match, fc.tuple(tie('e'), fc.constantFrom('and', 'or'), tie('e')).map(([a, op, b]) => `${a} ${op} ${b}`), tie('e').map((e) => `not (${e})`)),
})).e;

const SAMPLES: unknown[] = [
  { Node: 'n1', ServiceName: 'web', Service: 'web', Tags: ['a', 'b'], ServiceTags: [], Meta: { version: '1' }, NodeMeta: { 'a b': 'c' }, Port: 80, Weights: { Passing: 1 }, Checks: [{ Status: 'passing' }] },
  { Node: 'x'.repeat(64), Tags: null, Meta: {}, Port: 0 },
  {},
];

export const filterTarget: FuzzTarget<string> = {
  name: 'filter',
  surface: '?filter expressions (parser and evaluation)',
  arbitrary: textLike(expr),
  refusals: [FilterError],
  run(text) {
    const f = compileFilter(text);
    for (const s of SAMPLES) {
      try {
        f(s);
      } catch (err) {
        // A selector the value lacks is refused per value (Consul checks selectors against the type).
        if (!(err instanceof FilterError)) throw err;
      }
    }
  },
};
