// peers.json outage recovery on a real 3-server cluster (Consul's "Outage Recovery" guide): every
// server is lost, one survivor is restarted with a peers.json naming only itself, and two servers
// join it. Autopilot must then work exactly as after a normal bootstrap: the joiners are added as
// non-voters, promoted once stable, and requests through them succeed.
//
// Bound: gossip join (retry_interval 1 s) + for each of the two joiners one autopilot pass (every
// 0.5 s), catching up (an InstallSnapshot: the snapshot threshold is small, so the recovered log
// starts at a snapshot) and server_stabilization_time (1 s here) = about 6 s idle; 30 s leaves
// room for a loaded 2-core machine. Issue 10 saw no "Adding server as non-voter" for 90 s.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ServerSet, raftConfiguration, tryGetRaw, tryPut, waitAllVoters, type ServerSlot } from '../support/servers.js';

const HCL = `autopilot {
  server_stabilization_time = "1s"
}
raft_snapshot_threshold = 16
raft_trailing_logs = 4
`;
const JOIN_BOUND_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function putUntil(set: ServerSet, slot: ServerSlot, key: string, value: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await tryPut(slot, key, value))) {
    if (Date.now() > deadline) throw new Error(`PUT ${key} through ${slot.name} failed for ${ms} ms\n${set.logTails()}`);
    await sleep(100);
  }
}

function writePeersJson(dir: string, peers: { id: string; address: string }[]): void {
  mkdirSync(path.join(dir, 'raft'), { recursive: true });
  writeFileSync(path.join(dir, 'raft', 'peers.json'), JSON.stringify(peers.map((p) => ({ ...p, non_voter: false }))));
}

/**
 * A healthy cluster with data (past a Raft snapshot), then every server killed. `joiners`: how
 * s2 and s3 come back: as new servers (empty data dirs), or with their old data and the same
 * peers.json as s1 (the guide's "place it on every server").
 */
async function recoverToOne(set: ServerSet, joiners: 'new' | 'new-address' | 'same-peers-json'): Promise<void> {
  const [s1] = set.slots as [ServerSlot];
  await set.startAll();
  await set.waitCommonLeader(30_000);
  await waitAllVoters(set, 30_000);
  await putUntil(set, s1, 'before/outage', 'kept', 20_000);
  for (let i = 0; i < 40; i++) await putUntil(set, s1, `bulk/${i}`, 'x', 10_000);

  for (const s of set.slots) await set.kill9(s);
  const recovered = [{ id: readFileSync(path.join(s1.dataDir, 'node-id'), 'utf8').trim(), address: s1.rpcAddr }];
  writePeersJson(s1.dataDir, recovered);
  for (const s of set.slots.slice(1)) {
    if (joiners === 'new') set.wipe(s);
    else if (joiners === 'new-address') await set.replace(s);
    else writePeersJson(s.dataDir, recovered);
  }
  const [, s2, s3] = set.slots as [ServerSlot, ServerSlot, ServerSlot];
  await set.start(s1);
  await set.waitCommonLeader(30_000);
  assert.ok(s1.agent?.output.includes('found peers.json file, recovering Raft configuration...'), s1.agent?.output);

  await set.start(s2);
  await set.start(s3);
  const ms = await waitAllVoters(set, JOIN_BOUND_MS);
  const out = s1.agent?.output ?? '';
  for (const name of ['s2', 's3']) {
    assert.match(out, new RegExp(`Adding server as non-voter: server=${name}`));
    assert.match(out, new RegExp(`Promoting server to voter: server=${name}`));
  }
  const rows = await raftConfiguration(s1);
  assert.deepEqual(rows?.map((r) => `${r.Node}:${r.Voter}`).sort(), ['s1:true', 's2:true', 's3:true'], `after ${ms} ms`);

  // Requests through the joiners reach the leader and see the data from before the outage.
  await putUntil(set, s2, 'after/recovery', 'yes', 10_000);
  assert.equal(await tryGetRaw(s3, 'before/outage'), 'kept');
  assert.equal(await tryGetRaw(s3, 'after/recovery'), 'yes');
  // A stale read answers from s2's own state, which may still be applying what it was sent
  // (autopilot promotes a server within max_trailing_logs of the leader, not at its index).
  const deadline = Date.now() + 10_000;
  let held: string | undefined;
  while ((held = await tryGetRaw(s2, 'bulk/39', 'stale')) !== 'x' && Date.now() < deadline) await sleep(100);
  assert.equal(held, 'x', 's2 holds the replicated state');
}

describe('peers.json recovery to one server', () => {
  // Each test stops its own servers, failed or not: a failure must not leave three agents running.
  const withServers = async (joiners: 'new' | 'new-address' | 'same-peers-json'): Promise<void> => {
    const servers = await ServerSet.create({ count: 3, raftMultiplier: 1, extraHcl: HCL });
    try {
      await recoverToOne(servers, joiners);
    } finally {
      await servers.stopAll();
    }
  };

  test('new servers (empty data dirs) are added as non-voters, promoted, and serve requests', { timeout: 150_000 }, () => withServers('new'));

  test('new servers that reuse the lost servers\' names at new addresses are added the same way', { timeout: 150_000 }, () => withServers('new-address'));

  test('old servers given the same peers.json (not in it) are added back the same way', { timeout: 150_000 }, () => withServers('same-peers-json'));
});
