import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decide, intentionPrecedence, intentionsOfEntry, matchIntentions, sortByPrecedence } from '../../../src/core/connect/intentions.js';
import type { Intention } from '../../../src/core/structs/connect.js';

// Consul's docs (connect/intentions, "Precedence and Match Order"), rows where both namespaces
// are exact (the only namespace here is "default"): precedence 9, 8, 6, 5.
test('precedence follows the table in Consul\'s docs', () => {
  const table: [string, string, number][] = [
    ['web', 'db', 9],
    ['*', 'db', 8],
    ['web', '*', 6],
    ['*', '*', 5],
  ];
  for (const [src, dst, want] of table) assert.equal(intentionPrecedence(src, dst), want, `${src} => ${dst}`);
});

const ixn = (SourceName: string, DestinationName: string, Action: 'allow' | 'deny', Permissions?: unknown[]): Intention => ({
  SourceName,
  DestinationName,
  SourceType: 'consul',
  Action,
  Precedence: intentionPrecedence(SourceName, DestinationName),
  CreateIndex: 1,
  ModifyIndex: 1,
  ...(Permissions ? { Permissions } : {}),
});

test('match orders by precedence, exact before wildcard, deny before allow at a tie', () => {
  const all = [ixn('*', '*', 'allow'), ixn('web', 'db', 'allow'), ixn('*', 'db', 'deny'), ixn('web', '*', 'deny'), ixn('api', 'cache', 'deny')];
  const m = matchIntentions(all, 'destination', 'db').map((i) => `${i.SourceName}=>${i.DestinationName}`);
  assert.deepEqual(m, ['web=>db', '*=>db', 'web=>*', '*=>*']);
  const bySource = matchIntentions(all, 'source', 'web').map((i) => `${i.SourceName}=>${i.DestinationName}`);
  assert.deepEqual(bySource, ['web=>db', '*=>db', 'web=>*', '*=>*']);
  const tie = sortByPrecedence([ixn('a', 'x', 'allow'), { ...ixn('a', 'x', 'deny'), SourceName: 'a' }]);
  assert.equal(tie[0]?.Action, 'deny');
});

test('the first matching source decides; exact beats wildcard; no match allows while ACLs are off', () => {
  const matches = matchIntentions([ixn('*', 'db', 'deny'), ixn('web', 'db', 'allow')], 'destination', 'db');
  assert.equal(decide(matches, 'web', true, false).allowed, true);
  assert.equal(decide(matches, 'api', true, false).allowed, false);
  assert.match(decide(matches, 'api', true, false).reason, /^Matched L4 intention: \* => db \(Precedence: 8, Action: DENY\)$/);
  const none = decide([], 'web', true, false);
  assert.deepEqual([none.allowed, none.reason], [true, 'ACLs disabled, access is allowed by default']);
  assert.deepEqual([decide([], 'web', false, true).allowed, decide([], 'web', false, true).reason], [false, 'Default behavior configured by ACLs']);
  // The built-in proxy is L4: an L7 intention counts as deny (Consul: ConnectAuthorize).
  const l7 = decide([ixn('web', 'db', 'allow', [{ Action: 'allow', HTTP: { PathPrefix: '/' } }])], 'web', true, false);
  assert.equal(l7.allowed, false);
  assert.match(l7.reason, /^Matched L7 intention: web => db \(Precedence: 9, Permissions: 1\)$/);
});

test('a service-intentions entry lists one intention per source, legacy IDs kept', () => {
  const list = intentionsOfEntry({
    Kind: 'service-intentions',
    Name: 'db',
    Sources: [
      { Name: 'web', Action: 'deny', Precedence: 9, Type: 'consul', LegacyID: 'abc' },
      { Name: '*', Action: 'allow', Precedence: 8, Type: 'consul' },
    ],
    CreateIndex: 3,
    ModifyIndex: 4,
  });
  assert.deepEqual(
    list.map((i) => [i.ID, i.SourceName, i.DestinationName, i.Action, i.Precedence, i.ModifyIndex]),
    [
      ['abc', 'web', 'db', 'deny', 9, 4],
      [undefined, '*', 'db', 'allow', 8, 4],
    ],
  );
});
