// The rule trie's whole-tree answers (Consul: policy_authorizer.go anyAllowed / allAllowed) for
// read, list and write, with a catch-all "" prefix rule and one rule on "foo".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Access, Decision, RuleTree } from '../../../src/core/acl/rule-tree.js';

type Rule = [name: string, access: Access, isPrefix: boolean];


function tree(rules: Rule[]): RuleTree {
  const t = new RuleTree();
  for (const [name, access, isPrefix] of rules) t.insert(name, access, isPrefix);
  t.seal();
  return t;
}

const answers = (t: RuleTree, fn: 'anyAllowed' | 'allAllowed'): Decision[] => [t[fn](Access.Read), t[fn](Access.List), t[fn](Access.Write)];

test('anyAllowed: a catch-all sets the baseline, any granting rule overrides a denying one', () => {
  const cases: Array<[string, Rule[], Decision[]]> = [
    ['no rules', [], [Decision.Default, Decision.Default, Decision.Default]],
    ['"" write, foo deny', [['', Access.Write, true], ['foo', Access.Deny, true]], [Decision.Allow, Decision.Allow, Decision.Allow]],
    ['"" list', [['', Access.List, true]], [Decision.Allow, Decision.Allow, Decision.Deny]],
    ['"" read', [['', Access.Read, true]], [Decision.Allow, Decision.Deny, Decision.Deny]],
    ['"" deny', [['', Access.Deny, true]], [Decision.Deny, Decision.Deny, Decision.Deny]],
    ['"" deny, foo* write', [['', Access.Deny, true], ['foo', Access.Write, true]], [Decision.Allow, Decision.Allow, Decision.Allow]],
    ['"" deny, foo write', [['', Access.Deny, true], ['foo', Access.Write, false]], [Decision.Allow, Decision.Allow, Decision.Allow]],
    ['"" deny, foo* list', [['', Access.Deny, true], ['foo', Access.List, true]], [Decision.Allow, Decision.Allow, Decision.Deny]],
    ['"" deny, foo read', [['', Access.Deny, true], ['foo', Access.Read, false]], [Decision.Allow, Decision.Deny, Decision.Deny]],
    ['"" deny, foo* deny', [['', Access.Deny, true], ['foo', Access.Deny, true]], [Decision.Deny, Decision.Deny, Decision.Deny]],
    ['only foo write', [['foo', Access.Write, false]], [Decision.Allow, Decision.Allow, Decision.Allow]],
    ['only foo deny', [['foo', Access.Deny, false]], [Decision.Default, Decision.Default, Decision.Default]],
  ];
  for (const [name, rules, expected] of cases) assert.deepEqual(answers(tree(rules), 'anyAllowed'), expected, name);
});

test('allAllowed: a catch-all must grant and no rule may deny', () => {
  const cases: Array<[string, Rule[], Decision[]]> = [
    ['no rules', [], [Decision.Default, Decision.Default, Decision.Default]],
    ['"" write', [['', Access.Write, true]], [Decision.Allow, Decision.Allow, Decision.Allow]],
    ['"" list', [['', Access.List, true]], [Decision.Allow, Decision.Allow, Decision.Deny]],
    ['"" read', [['', Access.Read, true]], [Decision.Allow, Decision.Deny, Decision.Deny]],
    ['"" deny', [['', Access.Deny, true]], [Decision.Deny, Decision.Deny, Decision.Deny]],
    ['"" write, foo* write', [['', Access.Write, true], ['foo', Access.Write, true]], [Decision.Allow, Decision.Allow, Decision.Allow]],
    ['"" write, foo list', [['', Access.Write, true], ['foo', Access.List, false]], [Decision.Allow, Decision.Allow, Decision.Deny]],
    ['"" write, foo* read', [['', Access.Write, true], ['foo', Access.Read, true]], [Decision.Allow, Decision.Deny, Decision.Deny]],
    ['"" write, foo deny', [['', Access.Write, true], ['foo', Access.Deny, false]], [Decision.Deny, Decision.Deny, Decision.Deny]],
    ['only foo write', [['foo', Access.Write, false]], [Decision.Default, Decision.Default, Decision.Default]],
    ['only foo read', [['foo', Access.Read, false]], [Decision.Default, Decision.Deny, Decision.Deny]],
  ];
  for (const [name, rules, expected] of cases) assert.deepEqual(answers(tree(rules), 'allAllowed'), expected, name);
});

test('lookup: exact on the whole name, else the longest prefix on the path, else none', () => {
  const t = tree([
    ['', Access.Read, true],
    ['a', Access.Write, true],
    ['abc', Access.Deny, true],
    ['ab', Access.List, false],
  ]);
  assert.deepEqual(
    ['', 'x', 'a', 'ab', 'abc', 'abcd', 'abx'].map((n) => t.lookup(n)),
    [Access.Read, Access.Read, Access.Write, Access.List, Access.Deny, Access.Deny, Access.Write],
  );
  assert.equal(tree([['a', Access.Read, false]]).lookup('ab'), Access.Unknown);
  // Names are compared code unit by code unit: no normalisation, case matters.
  assert.equal(tree([['A', Access.Read, true]]).lookup('abc'), Access.Unknown);
  assert.throws(() => t.insert('z', Access.Read, true), /after seal/);
});
