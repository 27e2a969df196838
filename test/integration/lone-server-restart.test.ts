// A lone server whose Raft configuration names only itself campaigns as soon as its log has
// replayed on restart, as a fresh dev agent does, instead of waiting out an election timeout
// (5 to 10 s at Consul's default raft_multiplier of 5).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { TestAgent, allocatePorts } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const work = tmpDir('lone-restart-');
after(() => work.remove());

test('a lone server serves a consistent read well within an election timeout of a restart', { timeout: 90_000 }, async () => {
  const dataDir = path.join(work.path, 'data');
  const ports = await allocatePorts();
  const args = ['-server', '-bootstrap', '-node=lone'];
  const first = await TestAgent.start({ dev: false, dataDir, ports, args });
  assert.equal((await fetch(`${first.url}/v1/kv/a`, { method: 'PUT', body: 'v' })).status, 200);
  assert.equal(await first.stop(), 0);
  const started = Date.now();
  const again = await TestAgent.start({ dev: false, dataDir, ports, args, waitForLeader: false });
  try {
    for (;;) {
      const res = await fetch(`${again.url}/v1/kv/a?consistent&raw`).catch(() => undefined);
      if (res?.status === 200 && (await res.text()) === 'v') break;
      assert.ok(Date.now() - started < 30_000, 'no consistent read within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const ms = Date.now() - started;
    // The election timeout is at least 5 s here; process start and log replay take well under 4 s.
    assert.ok(ms < 4_000, `first consistent read ${ms} ms after the restart`);
  } finally {
    await again.stop();
  }
});
