import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RaftDriver } from '../../../src/core/raft/driver.js';
import { LoopbackTransport } from '../../../src/core/raft/transport.js';
import { ListFsm, MemLogger, encode, sleep, waitFor } from './harness.js';

function lone(snapshotIntervalMs: number | undefined, logger: MemLogger): RaftDriver<number> {
  return new RaftDriver<number>({
    id: 'a', dir: undefined, fsm: new ListFsm(), transport: new LoopbackTransport(), logger,
    tickMs: 20, electionTicks: 10, heartbeatTicks: 1, snapshotThreshold: 3, trailingLogs: 1, applyTimeoutMs: 5000,
    ...(snapshotIntervalMs === undefined ? {} : { snapshotIntervalMs }),
  });
}

test('raft_snapshot_interval: the threshold is checked on the interval, not after every batch', async () => {
  const logger = new MemLogger();
  const d = lone(150, logger);
  await d.start(['a']);
  try {
    await waitFor(() => d.isLeader(), 2000, 'leadership');
    for (let i = 0; i < 5; i++) await d.propose(encode(`x${i}`));
    assert.equal(logger.has('snapshot complete'), false, 'no snapshot right after the batch');
    await waitFor(() => logger.has('snapshot complete'), 2000, 'the interval snapshot');
  } finally {
    await d.stop();
  }
});

test('without an interval the threshold is checked after every batch (the default)', async () => {
  const logger = new MemLogger();
  const d = lone(undefined, logger);
  await d.start(['a']);
  try {
    await waitFor(() => d.isLeader(), 2000, 'leadership');
    for (let i = 0; i < 5; i++) await d.propose(encode(`x${i}`));
    await sleep(10);
    assert.equal(logger.has('snapshot complete'), true);
  } finally {
    await d.stop();
  }
});

test('a snapshot the disk refuses is logged and retried; the leader keeps leading and taking writes (hashicorp/raft runSnapshots)', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = mkdtempSync(path.join(tmpdir(), 'raft-snapfail-'));
  const logger = new MemLogger();
  const d = new RaftDriver<number>({
    id: 'a', dir, fsm: new ListFsm(), transport: new LoopbackTransport(), logger,
    tickMs: 20, electionTicks: 10, heartbeatTicks: 1, snapshotThreshold: 3, trailingLogs: 1, applyTimeoutMs: 5000,
  });
  await d.start(['a']);
  // The file store is private: swap its save for one that meets a full disk, then put it back.
  const store = (d as unknown as { snapshots: { save: (s: unknown) => Promise<void> } }).snapshots;
  const realSave = store.save.bind(store);
  store.save = async () => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', path: path.join(dir, 'x.snap.tmp') });
  };
  try {
    await waitFor(() => d.isLeader(), 2000, 'leadership');
    for (let i = 0; i < 5; i++) await d.propose(encode(`x${i}`));
    await waitFor(() => logger.has('failed to take snapshot: write'), 2000, 'the refused snapshot in the log');
    assert.equal(logger.has('stepping down'), false, logger.lines.join('\n'));
    assert.equal(d.isLeader(), true);
    await d.propose(encode('after-refusal'));
    store.save = realSave;
    for (let i = 0; i < 3; i++) await d.propose(encode(`y${i}`));
    await waitFor(() => logger.has('snapshot complete'), 2000, 'a snapshot once the disk takes it');
  } finally {
    await d.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
