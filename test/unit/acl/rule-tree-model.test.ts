// The compressed rule tree against a plain model of Consul's rules (a list scanned on every
// question): random rule sets over a small alphabet, so names share prefixes and end inside edges.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Access, Decision, RuleTree, enforce } from '../../../src/core/acl/rule-tree.js';

interface ModelRule {
  name: string;
  access: Access;
  isPrefix: boolean;
}

const name = fc.string({ unit: fc.constantFrom('a', 'b', '/'), maxLength: 5 });
const access = fc.constantFrom(Access.Deny, Access.Read, Access.List, Access.Write);
const rule = fc.record({ name, access, isPrefix: fc.boolean() });

/** Later rules replace earlier ones for the same name and kind, as insert() does. */
function dedupe(rules: ModelRule[]): ModelRule[] {
  const m = new Map<string, ModelRule>();
  for (const r of rules) m.set(`${r.isPrefix}:${r.name}`, r);
  return [...m.values()];
}

function modelLookup(rules: ModelRule[], n: string): Access {
  const exact = rules.find((r) => !r.isPrefix && r.name === n);
  if (exact) return exact.access;
  let best: ModelRule | undefined;
  for (const r of rules) if (r.isPrefix && n.startsWith(r.name) && (best === undefined || r.name.length > best.name.length)) best = r;
  return best?.access ?? Access.Unknown;
}

function modelWritePrefix(rules: ModelRule[], p: string): Decision {
  let best: ModelRule | undefined;
  for (const r of rules) if (r.isPrefix && p.startsWith(r.name) && (best === undefined || r.name.length > best.name.length)) best = r;
  if (best !== undefined && best.access !== Access.Write) return Decision.Deny;
  if (rules.some((r) => r.name.startsWith(p) && r.access !== Access.Write)) return Decision.Deny;
  return best === undefined ? Decision.Default : Decision.Allow;
}

function modelAll(rules: ModelRule[], required: Access): Decision {
  const catchAll = rules.find((r) => r.isPrefix && r.name === '');
  const decision = catchAll !== undefined ? enforce(catchAll.access, required) : Decision.Default;
  if (decision === Decision.Deny) return Decision.Deny;
  return rules.some((r) => enforce(r.access, required) === Decision.Deny) ? Decision.Deny : decision;
}

function modelAny(rules: ModelRule[], required: Access): Decision {
  const catchAll = rules.find((r) => r.isPrefix && r.name === '');
  const decision = catchAll !== undefined ? enforce(catchAll.access, required) : Decision.Default;
  if (decision === Decision.Allow) return Decision.Allow;
  return rules.some((r) => enforce(r.access, required) === Decision.Allow) ? Decision.Allow : decision;
}

test('rule tree agrees with the model on lookups, write-prefix and whole-tree questions', () => {
  fc.assert(
    fc.property(fc.array(rule, { maxLength: 12 }), fc.array(name, { minLength: 1, maxLength: 10 }), (raw, queries) => {
      const rules = dedupe(raw);
      const tree = new RuleTree();
      for (const r of raw) tree.insert(r.name, r.access, r.isPrefix);
      tree.seal();
      for (const q of queries) {
        assert.equal(tree.lookup(q), modelLookup(rules, q), `lookup(${JSON.stringify(q)})`);
        assert.equal(tree.writePrefix(q), modelWritePrefix(rules, q), `writePrefix(${JSON.stringify(q)})`);
      }
      for (const required of [Access.Read, Access.List, Access.Write]) {
        assert.equal(tree.allAllowed(required), modelAll(rules, required), `allAllowed(${required})`);
        assert.equal(tree.anyAllowed(required), modelAny(rules, required), `anyAllowed(${required})`);
      }
    }),
    { numRuns: 500 },
  );
});
