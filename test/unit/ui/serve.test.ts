// Pure helpers of the UI file server (src/core/ui): content-path normalization, Accept-Encoding
// negotiation, and the asset store's refusal to leave its folder.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AssetStore, chooseEncoding } from '../../../src/core/ui/assets.js';
import { isUiServed, normalizeContentPath } from '../../../src/core/ui/serve.js';
import { tmpDir } from '../../support/tmp-dir.js';

test('content paths get one leading and one trailing slash', () => {
  assert.equal(normalizeContentPath('/ui/'), '/ui/');
  assert.equal(normalizeContentPath('console'), '/console/');
  assert.equal(normalizeContentPath('//a/b//'), '/a/b/');
  assert.equal(normalizeContentPath(''), '/');
});

test('the UI is served when enabled or when a dir is given', () => {
  assert.equal(isUiServed({ enabled: false, dir: '', contentPath: '/ui/' }), false);
  assert.equal(isUiServed({ enabled: true, dir: '', contentPath: '/ui/' }), true);
  assert.equal(isUiServed({ enabled: false, dir: '/srv/ui', contentPath: '/ui/' }), true);
});

test('Accept-Encoding: brotli first, then gzip; q=0 refuses', () => {
  assert.equal(chooseEncoding(undefined), 'identity');
  assert.equal(chooseEncoding('gzip, deflate, br'), 'br');
  assert.equal(chooseEncoding('gzip;q=0.5, br;q=0'), 'gzip');
  assert.equal(chooseEncoding('*'), 'gzip');
  assert.equal(chooseEncoding('identity'), 'identity');
});

test('the asset store never reads outside its folder', async () => {
  const dir = tmpDir('ui-assets-');
  try {
    const root = path.join(dir.path, 'root');
    mkdirSync(root);
    writeFileSync(path.join(root, 'a.txt'), 'inside');
    writeFileSync(path.join(dir.path, 'secret.txt'), 'outside');
    const store = new AssetStore(root);
    assert.equal((await store.get('a.txt'))?.asset.body.toString(), 'inside');
    for (const bad of ['../secret.txt', 'x/../../secret.txt', '..\\secret.txt', 'a.txt\0', '/../secret.txt']) {
      assert.equal(await store.get(bad), undefined, bad);
    }
    assert.equal(await store.get(''), undefined); // the root folder itself is not a file
  } finally {
    dir.remove();
  }
});
