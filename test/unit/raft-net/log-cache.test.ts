// Bounded log memory: with the log on disk, a driver keeps only `logCacheEntries` applied entries
// in memory; a follower that lags behind that cache is caught up from the LevelDB log store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, waitFor } from './harness.js';

const IDS = ['a', 'b', 'c'];

test('a follower that lags behind the in-memory log cache catches up from disk (no snapshot involved)', async () => {
  // No snapshot and no compaction: the only way to the follower is reading entries back from disk.
  const cluster = new TestCluster({ snapshotThreshold: 100_000, trailingLogs: 100_000, logCacheEntries: 4 });
  try {
    for (const id of IDS) await cluster.start(id, IDS);
    const leader = await cluster.waitLeader();
    const lagging = IDS.find((id) => id !== leader.id) as string;
    await cluster.crash(lagging);
    const up = IDS.filter((id) => id !== lagging);
    for (let i = 0; i < 60; i++) await cluster.write(`v${i}`);
    await cluster.waitApplied(up, 60);
    const now = await cluster.waitLeader();
    await waitFor(() => now.driver.evictedIndex() > 40, 2000, 'the leader to drop old entries from memory');
    assert.equal(now.driver.status().lastIndex > 60, true);

    const back = await cluster.start(lagging);
    await cluster.waitApplied(IDS, 60, 10_000);
    assert.deepEqual(back.fsm.items, cluster.node(up[0] as string).fsm.items);
    assert.equal(back.fsm.restoredFrom, 0, 'caught up by appends, not by a snapshot');
    assert.equal(now.logger.has('raft: sent snapshot'), false);
    // It replicates new writes too, and evicts behind its own cache.
    await cluster.write('after');
    await cluster.waitApplied(IDS, 61);
    await waitFor(() => back.driver.evictedIndex() > 40, 2000, 'the caught-up follower to evict too');
  } finally {
    await cluster.close();
  }
});

test('a restart after eviction replays the log from disk; a new server still catches up by InstallSnapshot', async () => {
  const cluster = new TestCluster({ snapshotThreshold: 30, trailingLogs: 5, logCacheEntries: 3 });
  try {
    for (const id of IDS) await cluster.start(id, IDS);
    for (let i = 0; i < 50; i++) await cluster.write(`w${i}`);
    await cluster.waitApplied(IDS, 50);
    for (const id of IDS) await waitFor(() => cluster.node(id).driver.evictedIndex() > 30, 2000, `${id} to evict`);
    const before = cluster.node('a').fsm.items.slice();

    // Whole-cluster restart: every FSM is rebuilt from its snapshot plus the log on disk.
    for (const id of IDS) await cluster.crash(id);
    for (const id of IDS) await cluster.start(id);
    await cluster.waitApplied(IDS, 50, 10_000);
    for (const id of IDS) assert.deepEqual(cluster.node(id).fsm.items, before);
    await cluster.write('after-restart');
    await cluster.waitApplied(IDS, 51, 10_000);

    // A newcomer is behind the compaction point: InstallSnapshot, then appends from the cache or disk.
    const leader = await cluster.waitLeader();
    await cluster.start('d');
    await leader.driver.addLearner('d');
    await cluster.waitApplied(['d'], 51, 10_000);
    assert.deepEqual(cluster.node('d').fsm.items, cluster.node('a').fsm.items);
    assert.ok(cluster.node('d').fsm.restoredFrom > 0, 'the newcomer was sent a snapshot');
  } finally {
    await cluster.close();
  }
});
