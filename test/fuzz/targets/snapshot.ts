// Snapshot archives: what `consul snapshot restore` and PUT /v1/snapshot hand the server. The
// archive is read (gzip, tar, SHA256SUMS, meta.json) and its state.bin decoded into a scratch
// state store, as the server does before proposing a restore; reads must then work on what was
// accepted. Inputs are mutated archives, and valid archives around a mutated or hand-built
// state.bin (checksums recomputed, as a crafted file would have them).
import { Encoder } from '@msgpack/msgpack';
import fc from 'fast-check';
import { Fsm } from '../../../src/core/fsm/fsm.js';
import { RecordFormatError, RecordWriter } from '../../../src/core/fsm/records.js';
import { kvsList, kvsSetTxn } from '../../../src/core/state/kvs.js';
import { listNodes, listServices, nodeChecks, serviceInstances } from '../../../src/core/state/catalog.js';
import { sessionList } from '../../../src/core/state/sessions.js';
import { StateStore } from '../../../src/core/state/store.js';
import { SnapshotArchiveError, readArchive, writeArchive } from '../../../src/core/snapshot/index.js';
import { Catalog } from '../../unit/dns/fixtures.js';
import { mutated, type FuzzTarget } from '../target.js';

const META = { ID: '2-10-1', Size: 0, Index: 10, Term: 2, Version: 1 };

function validState(): Uint8Array {
  const cat = new Catalog().register({ Node: 'n1', Address: '10.0.0.1' }, { Service: 'web', Tags: ['a'], Port: 80 }).check('n1', 'c1', 'passing', 'web');
  const txn = cat.store.begin(100);
  for (const k of ['a', 'a/b', 'z']) kvsSetTxn(txn, { key: k, value: new TextEncoder().encode(k), flags: 1 });
  cat.store.commit(txn);
  return new Fsm(cat.store).snapshot().data;
}

const encoder = new Encoder();
/** A record of a known type with a body of arbitrary msgpack: wrong shapes, wrong types. */
const handMadeRecord = fc.tuple(fc.constantFrom(0, 2, 3, 5, 200), fc.oneof(fc.anything({ maxDepth: 3 }), fc.record({ Key: fc.anything({ maxDepth: 1 }), Value: fc.anything({ maxDepth: 1 }) }), fc.record({ kind: fc.constantFrom('node', 'service', 'check'), node: fc.anything({ maxDepth: 2 }), service: fc.anything({ maxDepth: 2 }), check: fc.anything({ maxDepth: 2 }) })));

type Input = { kind: 'archive'; bytes: Uint8Array } | { kind: 'state'; bytes: Uint8Array } | { kind: 'records'; records: [number, unknown][] };

let archive: Uint8Array = new Uint8Array(0);
let state: Uint8Array = new Uint8Array(0);

export const snapshotTarget: FuzzTarget<Input> = {
  name: 'snapshot',
  surface: 'snapshot archives (gzip, tar, checksums, meta.json, state.bin records)',
  arbitrary: fc.oneof(
    mutated(fc.constant(0).map(() => archive)).map((bytes) => ({ kind: 'archive' as const, bytes })),
    mutated(fc.constant(0).map(() => state)).map((bytes) => ({ kind: 'state' as const, bytes })),
    fc.array(handMadeRecord, { minLength: 1, maxLength: 4 }).map((records) => ({ kind: 'records' as const, records })),
  ),
  refusals: [SnapshotArchiveError, RecordFormatError],
  async setup() {
    state = validState();
    archive = await writeArchive(META, state);
  },
  async run(input) {
    let bytes: Uint8Array;
    if (input.kind === 'archive') bytes = input.bytes;
    else if (input.kind === 'state') bytes = await writeArchive(META, input.bytes);
    else {
      const w = new RecordWriter();
      for (const [type, body] of input.records) w.write(type, encoder.encode(body));
      bytes = await writeArchive(META, w.finish());
    }
    const { state: decoded } = await readArchive(bytes);
    const fsm = new Fsm(new StateStore());
    fsm.restore(decoded, 0);
    // What the server accepted must be readable by every endpoint, and snapshot again.
    kvsList(fsm.store, '');
    for (const n of listNodes(fsm.store)) nodeChecks(fsm.store, n.Node);
    for (const name of listServices(fsm.store).keys()) serviceInstances(fsm.store, name);
    sessionList(fsm.store);
    fsm.snapshot();
  },
};
