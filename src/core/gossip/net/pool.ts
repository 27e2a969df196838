// A serf pool on real sockets (Consul's serfLAN / serfWAN): the pure Serf + Memberlist cores,
// the network driver, the keyring (and its file), the snapshot file, and a promise-shaped API for
// the agent: join, leave, force-leave, user events, key operations.
//
// MUST: the keyring file wins over `encrypt` once it exists, as in Consul (key rotations survive
//       restarts); key changes made by queries are written back to it.
import type { Coordinate } from '../serf/coordinate.js';
import { randomBytes } from 'node:crypto';
import { promises as dnsPromises } from 'node:dns';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SeededRng } from '../../support/rng.js';
import type { Address } from '../memberlist/messages.js';
import { Memberlist } from '../memberlist/memberlist.js';
import { timingProfile, type TimingProfileName } from '../memberlist/profiles.js';
import type { MemberlistOutput, MemberlistTiming } from '../memberlist/types.js';
import {
  Serf,
  serfDelegateVersion,
  memberlistProtocolFor,
  encodeStdBase64,
  type KeyOperation,
  type KeyResultEvent,
  type KeyringPort,
  type SerfEvent,
  type SerfMember,
  type SerfOutput,
  type Tags,
} from '../serf/index.js';
import { encryptOverhead, Keyring, sizeOf } from '../wire/index.js';
import { formatAddr } from '../../rpc/index.js';
import { GossipDriver, gossipNow, type DriverLog } from './driver.js';
import { readSnapshot, SnapshotWriter, type SnapshotState } from './snapshot-file.js';

export interface PoolOptions {
  /** Node name in this pool (WAN: `<node>.<dc>`). */
  readonly nodeName: string;
  readonly bindAddr: string;
  readonly bindPort: number;
  readonly advertiseAddr: string;
  readonly advertisePort: number;
  readonly tags: Tags;
  readonly profile: TimingProfileName;
  readonly timing?: Partial<MemberlistTiming>;
  /** The `encrypt` key, used when there is no keyring file yet. */
  readonly encryptKey?: Uint8Array;
  readonly verifyIncoming: boolean;
  readonly verifyOutgoing: boolean;
  readonly reconnectTimeoutMs: number;
  readonly tombstoneTimeoutMs?: number;
  /** `<data-dir>/serf/local.snapshot` (LAN) or `remote.snapshot` (WAN); none in dev mode. */
  readonly snapshotPath?: string;
  /** `<data-dir>/serf/local.keyring` or `remote.keyring`. */
  readonly keyringPath?: string;
  /** Consul's merge delegate: an error text refuses the members. */
  readonly merge?: (members: SerfMember[]) => string | undefined;
  readonly log: DriverLog;
}

export type PoolEvent = Exclude<SerfEvent, KeyResultEvent | { kind: 'leaveDone' }>;

/** What a join found: how many seeds answered, and the errors of the rest. */
export interface JoinResult {
  readonly contacted: number;
  readonly errors: readonly string[];
}

export class GossipPool {
  private readonly driver: GossipDriver<SerfOutput>;
  private serf!: Serf;
  private readonly keyring: Keyring;
  private snapshot: SnapshotWriter | undefined;
  private previous: SnapshotState | undefined;
  private readonly listeners = new Set<(e: PoolEvent) => void>();
  private readonly joins = new Map<number, (r: JoinResult) => void>();
  private readonly keyOps = new Map<number, (r: KeyResultEvent) => void>();
  private leaveWaiter: ((error?: string) => void) | undefined;
  readonly timing: MemberlistTiming;

  private constructor(
    private readonly o: PoolOptions,
    keyring: Keyring,
  ) {
    this.keyring = keyring;
    this.timing = { ...timingProfile(o.profile), ...o.timing };
    this.driver = new GossipDriver<SerfOutput>({
      bindAddr: o.bindAddr,
      bindPort: o.bindPort,
      keyring,
      verifyIncoming: o.verifyIncoming,
      verifyOutgoing: o.verifyOutgoing,
      tcpTimeoutMs: this.timing.tcpTimeoutMs,
      log: o.log,
      onOutput: (out) => this.onOutput(out),
    });
  }

  /** Bind, create the cores, and replay the snapshot (clocks; members to rejoin via rejoin()). */
  static async start(o: PoolOptions): Promise<GossipPool> {
    const keyring = await loadKeyring(o);
    const pool = new GossipPool(o, keyring);
    await pool.driver.listen();
    if (o.snapshotPath) {
      pool.previous = await readSnapshot(o.snapshotPath);
      pool.snapshot = new SnapshotWriter(o.snapshotPath, pool.previous, (err) => o.log.error(`serf: snapshot write failed: ${err.message}`));
      await pool.snapshot.open();
    }
    pool.create();
    return pool;
  }

  private create(): void {
    const o = this.o;
    const t = this.timing;
    const rng = new SeededRng(randomBytes(4).readUInt32LE(0));
    const prev = this.previous;
    this.serf = new Serf(
      {
        nodeName: o.nodeName,
        tags: o.tags,
        protocolVersion: 4,
        reconnectTimeoutMs: o.reconnectTimeoutMs,
        ...(o.tombstoneTimeoutMs !== undefined ? { tombstoneTimeoutMs: o.tombstoneTimeoutMs } : {}),
        gossipIntervalMs: t.gossipIntervalMs,
        retransmitMult: t.retransmitMult,
        enableNameConflictResolution: false,
        rng,
        log: (level, msg) => o.log[level](msg),
        ...(o.merge ? { merge: o.merge } : {}),
        ...(this.keyring.enabled ? { keyring: keyringPort(this.keyring, () => void this.saveKeyring()) } : {}),
        ...(prev ? { previous: { clock: prev.clock, eventClock: prev.eventClock, queryClock: prev.queryClock, alive: [] } } : {}),
      },
      (delegate) =>
        new Memberlist(
          {
            name: o.nodeName,
            addr: o.advertiseAddr,
            port: o.advertisePort,
            timing: t,
            protocolVersion: memberlistProtocolFor(4),
            delegateVersion: serfDelegateVersion(4),
            rng,
            sizeOf,
            // memberlist: encryption adds a version byte, nonce and tag to every packet.
            packetOverhead: this.keyring.enabled ? encryptOverhead(1) : 0,
            delegate,
            log: (level, msg) => o.log[level](msg),
          },
          gossipNow(),
        ),
    );
    this.driver.attach(this.serf);
  }

  /** Members a restarted agent knew, unless it left gracefully (Consul: rejoin on start). */
  previousMembers(): string[] {
    const p = this.previous;
    if (!p || p.left) return [];
    return [...p.alive].filter(([name]) => name !== this.o.nodeName).map(([, addr]) => addr);
  }

  /** True when the snapshot says this node left last time (then it needs rejoin_after_leave). */
  leftLastTime(): boolean {
    return this.previous?.left ?? false;
  }

  onEvent(fn: (e: PoolEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private onOutput(out: SerfOutput): void {
    if (out.kind === 'joined') {
      const j = out as Extract<MemberlistOutput, { kind: 'joined' }>;
      this.joins.get(j.id)?.({ contacted: j.contacted, errors: j.errors });
      this.joins.delete(j.id);
      return;
    }
    if (out.kind === 'keyResult') {
      const k = out as KeyResultEvent;
      this.keyOps.get(k.queryId)?.(k);
      this.keyOps.delete(k.queryId);
      return;
    }
    if (out.kind === 'leaveDone') {
      const w = this.leaveWaiter;
      this.leaveWaiter = undefined;
      w?.((out as { error?: string }).error);
      return;
    }
    if (out.kind === 'packet' || out.kind === 'stream') return;
    const e = out as PoolEvent;
    if (e.kind === 'member') this.recordMembers(e.members, e.type);
    if (e.kind === 'member' || e.kind === 'user') this.recordClocks();
    for (const fn of [...this.listeners]) fn(e);
  }

  private recordMembers(members: readonly SerfMember[], type: string): void {
    const snap = this.snapshot;
    if (!snap) return;
    for (const m of members) {
      if (m.name === this.o.nodeName) continue;
      if (type === 'member-join' || type === 'member-update') snap.alive(m.name, formatAddr(m.addr, m.port));
      else snap.notAlive(m.name);
    }
  }

  private recordClocks(): void {
    const s = this.serf.snapshotState();
    this.snapshot?.clocks(s.clock, s.eventClock, s.queryClock);
  }

  /** Push/pull with each address ("host", "host:port", "[v6]:port"); resolves with the count reached. */
  async join(addrs: readonly string[], ignoreOld: boolean): Promise<JoinResult> {
    const seeds: Address[] = [];
    const errors: string[] = [];
    for (const a of addrs) {
      try {
        seeds.push(...(await resolveSeed(a, this.o.bindPort)));
      } catch (err) {
        errors.push(`Failed to resolve ${a}: ${(err as Error).message}`);
      }
    }
    if (seeds.length === 0) return { contacted: 0, errors };
    const result = await new Promise<JoinResult>((resolve, reject) => {
      this.driver.run(
        (_c, now) => this.serf.join(seeds, ignoreOld, now),
        (r) => (r.ok ? this.joins.set(r.value, resolve) : reject(new Error(r.error))),
      );
    });
    return { contacted: result.contacted, errors: [...errors, ...result.errors] };
  }

  /** Graceful leave: intent broadcast, propagate delay, memberlist leave. */
  async leave(): Promise<void> {
    const done = new Promise<string | undefined>((resolve) => (this.leaveWaiter = resolve));
    const r = this.driver.run((_c, now) => this.serf.leave(now));
    if (!r.ok) {
      this.leaveWaiter = undefined;
      throw new Error(r.error);
    }
    if (this.serf.leaveDone()) this.leaveWaiter = undefined;
    else {
      const err = await done;
      if (err) this.o.log.warn(`serf: leave did not complete cleanly: ${err}`);
    }
    await this.snapshot?.leave();
  }

  /** Consul's force-leave: "node not found" is not an error; serf just broadcasts the intent. */
  forceLeave(node: string, prune: boolean): void {
    this.driver.run((_c, now) => this.serf.removeFailedNode(node, prune, now));
  }

  userEvent(name: string, payload: Uint8Array, coalesce: boolean): void {
    const r = this.driver.run((_c, now) => this.serf.userEvent(name, payload, coalesce, now));
    if (!r.ok) throw new Error(r.error);
  }

  setTags(tags: Tags): void {
    const r = this.driver.run((_c, now) => this.serf.setTags(tags, now));
    if (!r.ok) throw new Error(r.error);
  }

  /** Run a key query over the pool; resolves when every node answered or the query timed out. */
  keyOperation(op: KeyOperation, keyBase64: string, relayFactor: number): Promise<KeyResultEvent> {
    return new Promise<KeyResultEvent>((resolve, reject) => {
      this.driver.run((_c, now) => {
        switch (op) {
          case 'install':
            return this.serf.installKey(keyBase64, now, relayFactor);
          case 'use':
            return this.serf.useKey(keyBase64, now, relayFactor);
          case 'remove':
            return this.serf.removeKey(keyBase64, now, relayFactor);
          default:
            return this.serf.listKeys(now, relayFactor);
        }
      }, (r) => (r.ok ? this.keyOps.set(r.value, resolve) : reject(new Error(r.error))));
    });
  }

  encrypted(): boolean {
    return this.keyring.enabled;
  }

  members(): SerfMember[] {
    return this.serf.members();
  }

  localMember(): SerfMember {
    return this.serf.localMember();
  }

  stats(): Record<string, string> {
    return this.serf.stats();
  }

  /** This node's Vivaldi coordinate in this pool. */
  coordinate(): Coordinate {
    return this.serf.coordinates.own;
  }

  /** The last coordinate `node` reported in this pool (ours included). */
  cachedCoordinate(node: string): Coordinate | undefined {
    return this.serf.coordinates.cached(node);
  }

  async shutdown(): Promise<void> {
    this.serf.shutdown();
    await this.driver.close();
    await this.snapshot?.close();
    for (const [, resolve] of this.joins) resolve({ contacted: 0, errors: ['agent shutting down'] });
    this.joins.clear();
  }

  private async saveKeyring(): Promise<void> {
    const file = this.o.keyringPath;
    if (!file) return;
    try {
      await writeKeyringFile(file, this.keyring);
    } catch (err) {
      this.o.log.error(`serf: failed to write keyring file: ${(err as Error).message}`);
    }
  }
}

/** memberlist's texts for keyring refusals (they reach operators through `consul keyring`). */
function keyringPort(k: Keyring, changed: () => void): KeyringPort {
  return {
    keys: () => k.listKeys(),
    primaryKey: () => k.primaryKey(),
    install: (key) => {
      if (![16, 24, 32].includes(key.length)) throw new Error('key size must be 16, 24 or 32 bytes');
      k.installKey(key);
      changed();
    },
    use: (key) => {
      if (!k.listKeys().some((x) => Buffer.from(x).equals(Buffer.from(key)))) throw new Error('Requested key is not in the keyring');
      k.useKey(key);
      changed();
    },
    remove: (key) => {
      const p = k.primaryKey();
      if (p && Buffer.from(p).equals(Buffer.from(key))) throw new Error('Removing the primary key is not allowed');
      k.removeKey(key);
      changed();
    },
  };
}

async function loadKeyring(o: PoolOptions): Promise<Keyring> {
  if (o.keyringPath) {
    try {
      const keys = JSON.parse(await fs.readFile(o.keyringPath, 'utf8')) as unknown;
      if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) throw new Error('not a JSON list of keys');
      const decoded = (keys as string[]).map((k) => new Uint8Array(Buffer.from(k, 'base64')));
      if (decoded.length > 0) {
        if (o.encryptKey) o.log.warn(`serf: keyring file ${o.keyringPath} exists, ignoring the encrypt key`);
        return new Keyring(decoded.slice(1), decoded[0]);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Error loading keyring ${o.keyringPath}: ${(err as Error).message}`);
    }
  }
  if (!o.encryptKey) return new Keyring();
  const ring = new Keyring([], o.encryptKey);
  if (o.keyringPath) await writeKeyringFile(o.keyringPath, ring);
  return ring;
}

async function writeKeyringFile(file: string, ring: Keyring): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(ring.listKeys().map((k) => encodeStdBase64(k))), { mode: 0o600 });
  await fs.rename(tmp, file);
}


/** "host", "host:port", "[v6]:port" -> addresses (a name may resolve to several). */
async function resolveSeed(spec: string, defaultPort: number): Promise<Address[]> {
  let host = spec;
  let port = defaultPort;
  const v6 = /^\[(.+)\](?::(\d+))?$/.exec(spec);
  if (v6) {
    host = v6[1] as string;
    if (v6[2]) port = Number(v6[2]);
  } else if (/^[^:]+:\d+$/.test(spec)) {
    const at = spec.lastIndexOf(':');
    host = spec.slice(0, at);
    port = Number(spec.slice(at + 1));
  }
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`invalid port in ${spec}`);
  if (net.isIP(host)) return [{ addr: host, port }];
  const found = await dnsPromises.lookup(host, { all: true });
  return found.map((f) => ({ addr: f.address, port }));
}
