// The renderer: atomic writes that keep or set the mode, no write when nothing changed, backups,
// dry output.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { render } from '../../../src/core/template/renderer.js';
import { tmpDir } from '../../support/tmp-dir.js';

const dir = tmpDir('ct-render-');
after(() => dir.remove());
const base = { perms: undefined, backup: false, createDestDirs: true, dry: false, dryWrite: () => undefined };

test('writes, then skips identical contents, keeps the existing mode, and leaves no temp files', () => {
  const f = path.join(dir.path, 'a', 'b', 'out');
  assert.deepEqual(render({ ...base, path: f, contents: 'one' }), { wouldRender: true, didRender: true, previous: undefined });
  assert.equal(statSync(f).mode & 0o777, 0o644);
  chmodSync(f, 0o640);
  assert.equal(render({ ...base, path: f, contents: 'one' }).didRender, false);
  render({ ...base, path: f, contents: 'two' });
  assert.equal(readFileSync(f, 'utf8'), 'two');
  assert.equal(statSync(f).mode & 0o777, 0o640);
  render({ ...base, path: f, contents: 'three', perms: 0o600 });
  assert.equal(statSync(f).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(path.dirname(f)), ['out']);
});

test('backup keeps the previous contents in .bak', () => {
  const f = path.join(dir.path, 'bk');
  writeFileSync(f, 'old');
  render({ ...base, path: f, contents: 'new', backup: true });
  assert.equal(readFileSync(`${f}.bak`, 'utf8'), 'old');
  assert.equal(readFileSync(f, 'utf8'), 'new');
});

test('dry prints "> path" and the contents, and writes nothing', () => {
  const f = path.join(dir.path, 'dry');
  let printed = '';
  render({ ...base, path: f, contents: 'x\n', dry: true, dryWrite: (s) => (printed += s) });
  assert.equal(printed, `> ${f}\nx\n`);
  assert.throws(() => statSync(f));
});

test('createDestDirs off: a missing parent is an error', () => {
  assert.throws(() => render({ ...base, path: path.join(dir.path, 'no', 'x'), contents: 'x', createDestDirs: false }), {
    message: 'failed writing file: parent directory is missing',
  });
});
