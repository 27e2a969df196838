import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PeersJsonError } from '../../../src/core/raft/peers-json.js';
import { TestCluster, waitFor } from './harness.js';

const IDS = ['a', 'b', 'c'];

function writePeers(dir: string, peers: readonly { id: string; address: string; non_voter?: boolean }[]): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'peers.json');
  writeFileSync(file, JSON.stringify(peers));
  return file;
}

test('peers.json outage recovery: 3 servers -> 1 survivor that elects itself with the new configuration', async () => {
  const cluster = new TestCluster({ snapshotThreshold: 4, trailingLogs: 1 });
  try {
    for (const id of IDS) await cluster.start(id, IDS);
    for (let i = 0; i < 6; i++) await cluster.write(`k${i}`);
    await cluster.waitApplied(IDS, 6);
    for (const id of IDS) await cluster.crash(id);

    const file = writePeers(cluster.dirOf('a'), [{ id: 'a', address: '127.0.0.1:18300', non_voter: false }]);
    const a = await cluster.start('a');
    assert.ok(a.logger.has('found peers.json file, recovering Raft configuration...'));
    assert.equal(existsSync(file), false, 'peers.json is deleted after recovery');
    assert.deepEqual(a.driver.recoveredPeers, [{ id: 'a', address: '127.0.0.1:18300', nonVoter: false }]);
    assert.deepEqual(a.driver.status().conf, { voters: ['a'], learners: [] });
    await cluster.waitLeader();
    assert.equal(cluster.node('a').driver.isLeader(), true);
    assert.deepEqual(a.fsm.items, ['k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
    await cluster.write('alone');
    assert.equal(a.fsm.items.at(-1), 'alone');

    // Durable: a restart keeps the recovered configuration and data, without peers.json.
    await cluster.crash('a');
    const again = await cluster.start('a');
    assert.equal(again.logger.has('peers.json'), false);
    assert.deepEqual(again.driver.status().conf.voters, ['a']);
    await cluster.waitLeader();
    assert.deepEqual(again.fsm.items.slice(-2), ['k5', 'alone']);
  } finally {
    await cluster.close();
  }
});

test('peers.json recovery of two survivors (one listed as such on each), with a non-voter entry', async () => {
  const cluster = new TestCluster();
  try {
    for (const id of IDS) await cluster.start(id, IDS);
    for (let i = 0; i < 3; i++) await cluster.write(`k${i}`);
    await cluster.waitApplied(IDS, 3);
    for (const id of IDS) await cluster.crash(id);
    const peers = [
      { id: 'a', address: '127.0.0.1:18301' },
      { id: 'b', address: '127.0.0.1:18302', non_voter: false },
      { id: 'z', address: '127.0.0.1:18303', non_voter: true },
    ];
    writePeers(cluster.dirOf('a'), peers);
    writePeers(cluster.dirOf('b'), peers);
    await cluster.start('a');
    await cluster.start('b');
    const leader = await cluster.waitLeader();
    assert.deepEqual(leader.driver.status().conf, { voters: ['a', 'b'], learners: ['z'] });
    // z is not running and has no known address: the transport reports it, the others go on.
    await waitFor(() => leader.logger.has('no address known for server z'), 2000, 'z reported unreachable');
    await cluster.write('two');
    await cluster.waitApplied(['a', 'b'], 4);
  } finally {
    await cluster.close();
  }
});

test('a malformed peers.json fails the start with a clear error and is left in place', async () => {
  const cluster = new TestCluster();
  try {
    const bad: [string, RegExp][] = [
      ['{not json', /not valid JSON/],
      ['["10.0.0.1:8300"]', /protocol 2 format/],
      ['[{"id": "a", "address": "127.0.0.1:8300", "non_voter": true}]', /at least one voter/],
      ['[{"id": "a", "address": "127.0.0.1:8300"}, {"id": "a", "address": "127.0.0.1:8301"}]', /duplicate ID/],
      ['[{"id": "", "address": "127.0.0.1:8300"}]', /peer ID cannot be empty/],
      ['[{"id": "a", "address": "nowhere"}]', /not host:port/],
    ];
    for (const [i, [text, why]] of bad.entries()) {
      const id = `m${i}`;
      mkdirSync(cluster.dirOf(id), { recursive: true });
      const file = path.join(cluster.dirOf(id), 'peers.json');
      writeFileSync(file, text);
      await assert.rejects(cluster.start(id), (e: unknown) => e instanceof PeersJsonError && why.test(e.message) && e.message.includes(file));
      assert.equal(existsSync(file), true);
    }
  } finally {
    await cluster.close();
  }
});

test('peers.json on a server that never had state makes it a member of the recovered configuration', async () => {
  const cluster = new TestCluster();
  try {
    writePeers(cluster.dirOf('solo'), [{ id: 'solo', address: '127.0.0.1:18300' }]);
    const solo = await cluster.start('solo');
    assert.equal(solo.driver.hasState(), true);
    await waitFor(() => solo.driver.isLeader(), 3000, 'solo to lead');
    await cluster.write('first');
  } finally {
    await cluster.close();
  }
});
