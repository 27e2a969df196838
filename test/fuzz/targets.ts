// Every fuzz target, by name (`npm run fuzz -- --target=NAME`).
import type { FuzzTarget } from './target.js';
import { configTarget } from './targets/config.js';
import { connectTarget } from './targets/connect.js';
import { dnsTarget } from './targets/dns.js';
import { filterTarget } from './targets/filter.js';
import { gossipPacketTarget, gossipStreamTarget, serfMessageTarget } from './targets/gossip.js';
import { httpTarget } from './targets/http.js';
import { rpcTarget } from './targets/rpc.js';
import { snapshotTarget } from './targets/snapshot.js';
import { templateTarget } from './targets/template.js';

export const TARGETS: readonly FuzzTarget<never>[] = [
  dnsTarget,
  gossipPacketTarget,
  gossipStreamTarget,
  serfMessageTarget,
  rpcTarget,
  configTarget,
  filterTarget,
  snapshotTarget,
  httpTarget,
  templateTarget,
  connectTarget,
] as unknown as readonly FuzzTarget<never>[];
