import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RaftDriver } from '../../../src/core/raft/driver.js';
import { LoopbackTransport } from '../../../src/core/raft/transport.js';
import { RaftError } from '../../../src/core/raft/core/types.js';
import { ListFsm, MemLogger, encode } from './harness.js';

function make(dir: string, fsm: ListFsm): RaftDriver<number> {
  return new RaftDriver<number>({
    id: 'a', dir, fsm, transport: new LoopbackTransport(), logger: new MemLogger(),
    tickMs: 20, electionTicks: 10, heartbeatTicks: 1, snapshotThreshold: 4, trailingLogs: 2, applyTimeoutMs: 5000,
  });
}

test('a single bootstrapped server leads as soon as start() resolves and replays its log on restart', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'raft-single-'));
  try {
    const fsm = new ListFsm();
    const d = make(dir, fsm);
    await d.start(['a']);
    assert.equal(d.isLeader(), true);
    assert.equal(d.hasState(), true);
    for (let i = 0; i < 10; i++) await d.propose(encode(`v${i}`));
    await d.stop();
    await assert.rejects(d.propose(encode('late')), (e: unknown) => e instanceof RaftError && e.code === 'notLeader');

    const fsm2 = new ListFsm();
    const again = make(dir, fsm2);
    await again.start(['a']); // voters are ignored: the state exists
    assert.deepEqual(fsm2.items, fsm.items, 'snapshot + log replayed before start() resolves');
    assert.equal(again.isLeader(), true);
    assert.deepEqual(again.status().conf, { voters: ['a'], learners: [] });
    await assert.rejects(again.bootstrap(['a']), (e: unknown) => e instanceof RaftError && e.code === 'stateExists');
    await again.propose(encode('more'));
    assert.equal(fsm2.items.at(-1), 'more');
    const last = again.lastLog();
    assert.equal(last.index, again.status().lastIndex);
    assert.equal(last.term, again.status().term);
    await again.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
