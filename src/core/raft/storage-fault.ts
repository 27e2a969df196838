// What the driver does when the disk refuses a write (ENOSPC, a quota, an I/O error): Consul's
// raft (hashicorp/raft) answers the writes with the error and steps down instead of exiting, so
// the server keeps serving what it can and comes back when the disk does. We do the same:
//
//  1. the failed Ready was never persisted, so nobody was told of its entries: the in-memory core
//     is thrown away (it is ahead of the disk) and every waiting proposal gets the error;
//  2. the server steps down and goes quiet (no ticks), so a cluster elects another leader;
//  3. every few seconds the log store is reopened and the in-memory storage rebuilt from what is
//     durable (the newest snapshot's metadata plus the log after it); the FSM keeps its state,
//     which only ever held durable entries. Then the core restarts as after a restart.
//
// MUST: a rebuilt log must reach the FSM's applied index; if it does not, the disk lost
// acknowledged entries and the server exits rather than serve from a state it cannot continue.
import path from 'node:path';
import { MemoryStorage } from './core/index.js';
import { goErrnoText, goLevelError } from '../support/go-errors.js';
import { LevelLogStore } from './storage/level-log.js';
import { FileSnapshotStore } from './storage/snapshot-store.js';

/** Errors that mean "the disk refused this write", as opposed to a bug or a corrupt store. */
export function isWriteRefusal(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: unknown };
  const text = `${e?.message ?? ''} ${(e?.cause as Error | undefined)?.message ?? ''}`;
  if (e?.code && ['ENOSPC', 'EDQUOT', 'EIO', 'EROFS'].includes(e.code)) return true;
  return /No space left on device|Disk quota exceeded|Input\/output error|Read-only file system/i.test(text);
}

/** The refusal in Go's words (`write /d/raft/log/000003.log: no space left on device`). */
export function describeWriteRefusal(err: unknown): string {
  const errno = goErrnoText(err);
  const e = err as NodeJS.ErrnoException;
  if (errno && e.path) return `${e.syscall ?? 'write'} ${e.path}: ${errno}`;
  return goLevelError(err).replace(/^open /, 'write ');
}

export interface RebuiltStorage {
  storage: MemoryStorage;
  log: LevelLogStore;
  lastIndex: number;
}

/** Reopen the durable log and rebuild the in-memory storage from the disk, FSM untouched. */
export async function rebuildFromDisk(dir: string): Promise<RebuiltStorage> {
  const storage = new MemoryStorage();
  const snap = await new FileSnapshotStore(path.join(dir, 'snapshots')).loadLatest();
  if (snap) storage.applySnapshot(snap);
  const log = new LevelLogStore(path.join(dir, 'log'));
  const loaded = await log.open();
  const after = loaded.entries.filter((e) => e.index > (snap?.meta.index ?? 0));
  if (after.length > 0) storage.append(after);
  if (loaded.hardState) storage.setHardState(loaded.hardState);
  if (loaded.confState && !snap) storage.setConfState(loaded.confState);
  return { storage, log, lastIndex: storage.lastIndex() };
}
