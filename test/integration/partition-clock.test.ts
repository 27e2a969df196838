// The partition workload (partition.test.ts) with one server's clock running fast: server 2 runs
// under Debian's faketime at x1.5, which speeds up its wall and monotonic clocks alike, so its
// Raft ticks, election timeouts and leader lease all run 1.5 times too fast. Leases and
// CheckQuorum count ticks of the monotonic clock: a server whose clock runs fast gives up its
// lease early and times out early, and the others' CheckQuorum keeps it from taking over while
// they hear a leader, so default and ?consistent reads must stay linearizable.
// PARTITION_CLOCK_SECONDS (default 40) bounds the faults. Skips, saying why, without root,
// nftables or faketime.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { netnsUnsupported } from '../support/netns.js';
import { runPartitions } from '../support/partition-run.js';

const SECONDS = Number(process.env['PARTITION_CLOCK_SECONDS'] ?? '40');
const SEED = Number(process.env['PARTITION_SEED'] ?? String(Date.now() % 1_000_000));
const LIB = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1'].find((p) => existsSync(p));
const unsupported = netnsUnsupported() ?? (LIB ? undefined : "Debian's faketime is not installed");
if (unsupported !== undefined) console.log(`# SKIP skewed-clock partition test: ${unsupported}`);

describe('partitions with one server clock at x1.5', { timeout: 200_000 }, () => {
  test(`5 servers, server 2 at x1.5, ${SECONDS} s of faults: linearizable, stale reads within max_stale`, { skip: unsupported }, async () => {
    const result = await runPartitions({
      seconds: SECONDS,
      seed: SEED,
      log: (l) => console.log(`# ${l}`),
      serverEnv: (n): Record<string, string> => (n === 2 ? { LD_PRELOAD: LIB as string, FAKETIME: '+0 x1.5', FAKETIME_NO_CACHE: '1' } : {}),
    });
    console.log(result.summary);
    assert.deepEqual(result.failures, [], result.failures.join('\n\n'));
    const scale = Math.min(1, SECONDS / 60);
    assert.ok((result.counts['writesAcked'] ?? 0) > 100 * scale, `only ${result.counts['writesAcked']} writes acked`);
  });
});
