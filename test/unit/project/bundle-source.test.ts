// The agent runs inside the CLI bundle (dist/cli.js), and V8 keeps a script's source for the
// process's whole life: as a one-byte string when every character is Latin-1, else as a two-byte
// string twice the size. scripts/build.mjs escapes the rest; this checks the built bundles.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../support/test-agent.js';

for (const name of ['cli.js', 'consul-template.js']) {
  test(`dist/${name} holds only Latin-1 characters, so V8 stores its source one byte per character`, () => {
    const text = readFileSync(path.join(ROOT, 'dist', name), 'utf8');
    const wide = /[^\u0000-\u00ff]/.exec(text);
    assert.equal(wide, null, wide ? `U+${wide[0].charCodeAt(0).toString(16)} near ${JSON.stringify(text.slice(wide.index - 40, wide.index + 10))}` : '');
  });
}
