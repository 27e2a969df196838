// Partitions in network namespaces (docs/reliability.md): 5 servers, each in its own netns
// joined by a bridge; root-namespace clients do get/put/cas through random servers in every
// consistency mode while a seeded nemesis isolates the leader, isolates a random server, splits
// 2/3, builds a ring, drops 30% of server-to-server packets, and combines these with kill -9 and
// SIGSTOP. Writes, cas, default and ?consistent reads must be linearizable per key;
// ?stale&max_stale reads may be stale only within max_stale. CI runs 60 s of faults
// (PARTITION_SECONDS, PARTITION_SEED); bench/partition.ts --minutes=N runs longer.
// Skips, saying why, where namespaces cannot be created (not root, no nftables).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NetnsNetwork, netnsUnsupported } from '../support/netns.js';
import { checkPartitionHistory, PartitionHistory } from '../support/partition-history.js';
import { runPartitions } from '../support/partition-run.js';

const SECONDS = Number(process.env['PARTITION_SECONDS'] ?? '60');
const SEED = Number(process.env['PARTITION_SEED'] ?? String(Date.now() % 1_000_000));
const unsupported = netnsUnsupported();
if (unsupported !== undefined) console.log(`# SKIP partition tests: ${unsupported}`);

describe('partitions in network namespaces', { timeout: 200_000 }, () => {
  test('the history checks are not vacuous (negative controls, no namespaces needed)', () => {
    const h = new PartitionHistory();
    const w = h.begin('c0', 'k', { f: 'put', value: 'a' }, 's1');
    h.complete(w, { f: 'ok' });
    const r = h.begin('c0', 'k', { f: 'get' }, 's1', 'consistent');
    h.complete(r, { f: 'get', value: 'a', modifyIndex: 5 });
    assert.deepEqual(checkPartitionHistory(h, 2_000, 1_000).failures, []);
    // A stale read answered by a server that had not heard a leader for longer than max_stale.
    const s = h.begin('c1', 'k', { f: 'get' }, 's2', 'stale');
    h.complete(s, { f: 'get', value: 'a', modifyIndex: 5 });
    s.lastContactMs = 2_500;
    assert.match(checkPartitionHistory(h, 2_000, 1_000).failures.join('\n'), /X-Consul-LastContact 2500 ms > max_stale/);
    s.lastContactMs = 10;
    // A consistent read of a value nobody wrote after the write completed.
    const bad = h.begin('c1', 'k', { f: 'get' }, 's3', 'default');
    h.complete(bad, { f: 'get', value: null, modifyIndex: 0 });
    assert.match(checkPartitionHistory(h, 2_000, 1_000).failures.join('\n'), /not linearizable/);
  });

  test('the network harness cuts server-to-server traffic only, and leaves nothing behind', { skip: unsupported }, async () => {
    const net = NetnsNetwork.create(3);
    const { spawn } = await import('node:child_process');
    // A TCP listener in s2's namespace; probes from the root namespace and from s1's.
    const listener = spawn('ip', net.execArgs(2, [process.execPath, '-e', `require('net').createServer((c)=>c.end('hi')).listen(7000,'${net.addr(2)}',()=>console.log('up'))`]), { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    const probe = (from: number | 'root'): Promise<boolean> => new Promise((resolve) => {
      const code = `const s=require('net').connect(7000,'${net.addr(2)}');s.setTimeout(800,()=>{process.exit(1)});s.on('data',()=>process.exit(0));s.on('error',()=>process.exit(1))`;
      const argv = [process.execPath, '-e', code];
      const p = from === 'root' ? spawn(argv[0] as string, argv.slice(1)) : spawn('ip', net.execArgs(from, argv));
      p.once('exit', (c) => resolve(c === 0));
    });
    try {
      await new Promise<void>((resolve) => listener.stdout.once('data', () => resolve()));
      assert.equal(await probe('root'), true, 'a client reaches s2');
      assert.equal(await probe(1), true, 's1 reaches s2');
      net.isolate(2);
      assert.equal(await probe(1), false, 's1 must not reach the isolated s2');
      assert.equal(await probe('root'), true, 'a client still reaches the isolated s2');
      net.heal();
      assert.equal(await probe(1), true, 's1 reaches s2 after heal');
      net.ring(); // 3 servers: everyone is a neighbour, nothing is cut
      assert.deepEqual(net.cutPairs, []);
    } finally {
      try {
        process.kill(-(listener.pid as number), 'SIGKILL');
      } catch {
        // gone
      }
      net.teardown();
    }
    assert.deepEqual(NetnsNetwork.leftovers(net.id), []);
  });

  test(`5 servers under partitions, kill -9 and SIGSTOP for ${SECONDS} s: linearizable, stale reads within max_stale`, { skip: unsupported }, async () => {
    const result = await runPartitions({ seconds: SECONDS, seed: SEED, log: (l) => console.log(`# ${l}`) });
    console.log(result.summary);
    assert.deepEqual(result.failures, [], result.failures.join('\n\n'));
    // The run did something: work scales with its length (a fault cycle takes about 6-10 s).
    const scale = Math.min(1, SECONDS / 60);
    assert.ok((result.counts['writesAcked'] ?? 0) > 100 * scale, `only ${result.counts['writesAcked']} writes acked`);
    assert.ok((result.counts['staleReads'] ?? 0) > 50 * scale, 'too few stale reads');
    assert.ok(Object.keys(result.faults).length >= Math.max(1, Math.floor(5 * scale)), `too few kinds of faults: ${Object.keys(result.faults).join(', ')}`);
  });
});
