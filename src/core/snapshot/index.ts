// The snapshot archive: write, read-and-verify, summarize. Used by the agent (GET/PUT /v1/snapshot)
// and by the CLI (`consul snapshot save|restore|inspect`). No network; no state-store access.
export { readArchive, writeArchive, SnapshotArchiveError } from './archive.js';
export type { SnapshotArchive, SnapshotMetaFile } from './archive.js';
export { summarizeState } from './summary.js';
export type { TypeSummary } from './summary.js';
