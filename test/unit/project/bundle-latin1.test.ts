// The CLI bundle (dist/cli.js, 1.2 MB) is loaded by every consul process, the agent included. V8
// keeps a script's source in the heap, as a one-byte string if every character fits Latin-1 and
// as a two-byte string (twice the size) if a single one does not: keep the bundle Latin-1 (write
// such characters as \u escapes in the source, see support/duration.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

test('dist/cli.js holds only Latin-1 characters (its source stays a one-byte string in V8)', () => {
  const source = readFileSync(fileURLToPath(new URL('../../../cli.js', import.meta.url)), 'utf8');
  const wide = [...source.matchAll(/[^\u0000-\u00ff]/g)].slice(0, 5).map((m) => JSON.stringify(source.slice(Math.max(0, m.index - 30), m.index + 10)));
  assert.deepEqual(wide, [], `characters above U+00FF in the bundle: ${wide.join(', ')}`);
});
