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
