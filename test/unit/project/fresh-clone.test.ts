// A user's fresh clone has no ../shared beside it: the README's test command must still pass.
// The conformance step runs the shared scenarios when they are there and otherwise says in one
// line that it skipped them; no other npm script may reach outside the clone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../support/test-agent.js';
import { tmpDir } from '../../support/tmp-dir.js';

test('the conformance step skips with one clear line when ../shared is absent', () => {
  const dir = tmpDir('fresh-clone-');
  try {
    const clone = path.join(dir.path, 'consul-ts');
    mkdirSync(path.join(clone, 'scripts'), { recursive: true });
    copyFileSync(path.join(ROOT, 'scripts', 'conformance.sh'), path.join(clone, 'scripts', 'conformance.sh'));
    const r = spawnSync('bash', ['scripts/conformance.sh'], { cwd: clone, encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.match(r.stdout, /^conformance: skipped \(no \.\.\/shared\/conformance beside this clone/);
  } finally {
    dir.remove();
  }
});

test('npm scripts reach ../shared only through the conformance step', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  for (const [name, script] of Object.entries(pkg.scripts)) assert.ok(!script.includes('../shared'), `${name} reaches outside the clone: ${script}`);
  assert.match(pkg.scripts.test ?? '', /npm run conformance$/);
  assert.equal(pkg.scripts.conformance, 'bash scripts/conformance.sh');
});
