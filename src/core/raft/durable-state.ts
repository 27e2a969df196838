// Loading the durable Raft state at start (`<dir>/snapshots`, `<dir>/log`) into the in-memory
// storage and the FSM, and the peers.json outage recovery (Consul "Outage Recovery").
//
// Recovery, as hashicorp/raft RecoverCluster does it: apply every entry of the log (committed or
// not) to the FSM, snapshot it at the last index with the configuration from peers.json, and drop
// the log behind it. The configuration is then both the latest and durable, and is the same on
// every server given the same file.
// Why not a forced config entry after the last one instead: survivors with different uncommitted
// tails would then hold different *committed* entries at the same index, and the first append
// from the new leader would have to truncate committed entries (an invariant the core enforces
// by crashing). A snapshot is a compaction point, which the leader simply replicates past.
//
// MUST: the recovery snapshot is fsynced before the log is cleared and before peers.json is
// deleted, so a crash at any point leaves either the old state plus peers.json (recovery runs
// again) or the recovered state.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { MemoryStorage } from './core/index.js';
import type { ConfState, Entry, Snapshot } from './core/types.js';
import type { RaftFsm, RaftLogger } from './driver-types.js';
import { PEERS_JSON, readPeersJson, type PeersJson } from './peers-json.js';
import { LevelLogStore, StorageOpenError } from './storage/level-log.js';
import { FileSnapshotStore } from './storage/snapshot-store.js';

export interface DurableState {
  readonly log: LevelLogStore | undefined;
  readonly snapshots: FileSnapshotStore | undefined;
  /** The index the FSM has applied after loading. */
  readonly applied: number;
  readonly lastSnapshotIndex: number;
  /** The directory held a log, hard state, configuration or snapshot (or peers.json recovered it). */
  readonly hasState: boolean;
  /** The peers.json that was applied, if any. */
  readonly recovered: PeersJson | undefined;
}

export async function loadDurableState<R>(
  dir: string | undefined,
  storage: MemoryStorage,
  fsm: RaftFsm<R>,
  logger: RaftLogger,
): Promise<DurableState> {
  if (!dir) return { log: undefined, snapshots: undefined, applied: 0, lastSnapshotIndex: 0, hasState: false, recovered: undefined };
  const peersFile = path.join(dir, PEERS_JSON);
  // Parse first: a malformed file must fail the start before anything is opened or changed.
  const peers = await readPeersJson(peersFile);
  const snapshots = new FileSnapshotStore(path.join(dir, 'snapshots'));
  let applied = 0;
  let hasState = false;
  const damaged: string[] = [];
  const snap = await snapshots.loadLatest((file) => {
    damaged.push(file);
    logger.error(`raft: failed to open snapshot: ${file}: checksum or format mismatch, trying an older one`);
  });
  if (snap) {
    storage.applySnapshot(snap);
    fsm.restore(snap.data, snap.meta.index);
    applied = snap.meta.index;
    hasState = true;
  }
  const log = new LevelLogStore(path.join(dir, 'log'));
  const loaded = await log.open();
  const gap = logGap(loaded.entries, applied, loaded.hardState?.commit ?? 0);
  if (gap) {
    await log.close();
    const cause = damaged.length > 0 ? `snapshot ${damaged.join(', ')} is damaged, and ` : '';
    throw new StorageOpenError(
      `Failed to start Raft: ${cause}${gap} in ${path.join(dir, 'log')}; ` +
        'this server cannot rebuild its state: restore it with `consul snapshot restore`, or move the data dir aside and let it rejoin the cluster',
    );
  }
  const after = loaded.entries.filter((e) => e.index > applied);
  if (after.length > 0) storage.append(after);
  if (loaded.hardState) storage.setHardState(loaded.hardState);
  if (loaded.confState && !snap) storage.setConfState(loaded.confState);
  hasState ||= loaded.entries.length > 0 || loaded.hardState !== undefined || loaded.confState !== undefined;
  let lastSnapshotIndex = applied;
  if (peers) {
    logger.info('found peers.json file, recovering Raft configuration...');
    try {
      applied = await recover(storage, fsm, applied, peers.conf, log, snapshots);
    } catch (err) {
      await log.close();
      throw err;
    }
    lastSnapshotIndex = applied;
    hasState = true;
    await fs.rm(peersFile, { force: true });
    // A peers.json that came back after a crash would force this old configuration again later.
    await syncDir(dir);
    logger.info('deleted peers.json file after successful recovery');
    logger.info(`raft: recovered configuration voters [${peers.conf.voters.join(', ')}] learners [${peers.conf.learners.join(', ')}] at index ${applied}`);
  }
  return { log, snapshots, applied, lastSnapshotIndex, hasState, recovered: peers };
}

/**
 * Why the log cannot continue from the state restored at `applied`, or undefined if it can. A
 * torn last batch (a crash mid-write) is already gone: LevelDB drops it when it recovers its WAL,
 * so it leaves no hole. A hole, or a log that starts past the snapshot, means lost entries, and
 * running on would serve a state that silently misses writes.
 */
export function logGap(entries: readonly Entry[], applied: number, committed = 0): string | undefined {
  const first = entries[0];
  if (first && first.index > applied + 1) return `the log starts at index ${first.index} but the newest intact snapshot ends at index ${applied}`;
  for (let i = 1; i < entries.length; i++) {
    const prev = (entries[i - 1] as Entry).index;
    if ((entries[i] as Entry).index !== prev + 1) return `the log has a hole after index ${prev}`;
  }
  const last = entries.length > 0 ? (entries[entries.length - 1] as Entry).index : applied;
  if (committed > Math.max(last, applied)) return `entries up to index ${committed} were committed but the log and the newest intact snapshot end at index ${Math.max(last, applied)}`;
  return undefined;
}

/** Forces `conf` as the latest configuration; returns the FSM's applied index afterwards. */
async function recover<R>(
  storage: MemoryStorage,
  fsm: RaftFsm<R>,
  applied: number,
  conf: ConfState,
  log: LevelLogStore,
  snapshots: FileSnapshotStore,
): Promise<number> {
  const last = storage.lastIndex();
  if (last === 0) {
    // Nothing was ever written: the configuration becomes the initial one (like a bootstrap,
    // without an entry, so any survivor can lead it).
    storage.setConfState(conf);
    await log.saveConfState(conf);
    return 0;
  }
  const snapIndex = storage.snapshot().meta.index;
  if (last > applied) {
    for (const e of storage.entries(applied + 1, last + 1)) if (e.kind === 'command') fsm.apply(e.index, e.data);
  }
  let snap: Snapshot;
  if (last > snapIndex) {
    snap = storage.createSnapshot(last, conf, fsm.snapshot());
    storage.compact(last);
  } else {
    // The log holds nothing past the snapshot: rewrite the snapshot with the new configuration.
    storage.setConfState(conf);
    snap = storage.snapshot();
  }
  await snapshots.save(snap);
  await log.reset();
  const hs = storage.hardStateNow();
  const hardState = { ...hs, commit: Math.max(hs.commit, last) };
  storage.setHardState(hardState);
  await log.save([], hardState, true);
  return last;
}

async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
