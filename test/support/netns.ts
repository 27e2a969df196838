// A private network of Linux network namespaces for partition tests: one bridge in the root
// namespace (the clients' side, address .1), one namespace per server joined to the bridge by a
// veth pair (server n has .(10+n)), and one nftables `bridge` table whose forward chain drops
// traffic between chosen pairs of bridge ports. Traffic between a server and the bridge's own
// address (the root-namespace clients) is input/output on the bridge device, never forwarded
// between ports, so a cut server stays reachable by clients: only server-to-server traffic is cut.
// Packet loss is modelled with nftables too (`numgen random`), since this kernel has no netem.
//
// MUST: only touch names this run created (every name carries the run id); teardown() removes
//       them all and is safe to call twice; a process exit handler removes leftovers of this run.
// Needs root, iproute2 and Debian's nftables; netnsUnsupported() says why not when it can't.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export type Pair = readonly [number, number];

function run(cmd: string, args: readonly string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 10_000 });
  if (r.error !== undefined) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

const quiet = (cmd: string, args: readonly string[]): void => void spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });

/**
 * Why this machine cannot run namespace partition tests (undefined when it can): not root, no
 * `ip`, no `nft`, or the kernel refuses a namespace or a bridge-family table. Probes by doing.
 */
export function netnsUnsupported(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (uid is not 0)';
  for (const [cmd, pkg] of [['ip', 'iproute2'], ['nft', 'nftables']] as const) {
    if (spawnSync(cmd, ['-V'], { stdio: 'ignore' }).error !== undefined) return `\`${cmd}\` is missing (apt-get install -y ${pkg})`;
  }
  const probe = `ctsprobe${randomBytes(3).toString('hex')}`;
  try {
    run('ip', ['netns', 'add', probe]);
    run('nft', ['-f', '-'], `table bridge ${probe} {\n chain c { type filter hook forward priority 0; policy accept; iifname "x" oifname "y" drop; }\n}\n`);
    return undefined;
  } catch (err) {
    return `cannot create a network namespace or an nftables bridge table: ${(err as Error).message}`;
  } finally {
    quiet('nft', ['delete', 'table', 'bridge', probe]);
    quiet('ip', ['netns', 'del', probe]);
  }
}

/** A /24 in 10.0.0.0/8 that no interface of this machine uses (chosen at random per run). */
function freeSubnet(): string {
  const used = run('ip', ['-4', '-o', 'addr']) + run('ip', ['-4', 'route']);
  for (let i = 0; i < 100; i++) {
    const [a, b] = randomBytes(2);
    const net = `10.${200 + ((a as number) % 50)}.${b as number}`;
    if (!used.includes(`${net}.`)) return net;
  }
  throw new Error('no free 10.x.y.0/24 subnet found');
}

export class NetnsNetwork {
  /** Unique per run: in every interface, namespace and table name. */
  readonly id: string;
  /** e.g. 10.231.7 (a /24). */
  readonly subnet: string;
  readonly bridge: string;
  readonly table: string;
  private readonly cuts = new Set<string>();
  private lossPercent = 0;
  private created = false;
  private readonly onExit = (): void => this.teardown();

  private constructor(readonly count: number) {
    this.id = randomBytes(3).toString('hex');
    this.subnet = freeSubnet();
    this.bridge = `ctsbr${this.id}`;
    this.table = `cts${this.id}`;
  }

  /** Creates the bridge, `count` namespaces with their veths, and an empty cut table. */
  static create(count: number): NetnsNetwork {
    const net = new NetnsNetwork(count);
    process.once('exit', net.onExit);
    try {
      net.build();
    } catch (err) {
      net.teardown();
      throw err;
    }
    return net;
  }

  /** The namespace of server n (1-based). */
  ns(n: number): string {
    return `cts-${this.id}-s${n}`;
  }

  /** The bridge port (root-namespace end of the veth) of server n. */
  port(n: number): string {
    return `cts${this.id}p${n}`;
  }

  /** Server n's address inside its namespace. */
  addr(n: number): string {
    return `${this.subnet}.${10 + n}`;
  }

  /** The bridge's own address: where root-namespace traffic to the servers comes from. */
  get hostAddr(): string {
    return `${this.subnet}.1`;
  }

  /** Server n by its address, or undefined. */
  serverOf(addr: string): number | undefined {
    for (let n = 1; n <= this.count; n++) if (addr === this.addr(n)) return n;
    return undefined;
  }

  /** `ip netns exec <ns>` + argv: run a command inside server n's namespace. */
  execArgs(n: number, argv: readonly string[]): string[] {
    return ['netns', 'exec', this.ns(n), ...argv];
  }

  private build(): void {
    this.created = true;
    run('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
    run('ip', ['addr', 'add', `${this.hostAddr}/24`, 'dev', this.bridge]);
    run('ip', ['link', 'set', this.bridge, 'up']);
    for (let n = 1; n <= this.count; n++) {
      const ns = this.ns(n);
      run('ip', ['netns', 'add', ns]);
      run('ip', ['link', 'add', this.port(n), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      run('ip', ['link', 'set', this.port(n), 'master', this.bridge, 'up']);
      run('ip', ['-n', ns, 'addr', 'add', `${this.addr(n)}/24`, 'dev', 'eth0']);
      run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    this.apply();
  }

  /** Drop all traffic between each pair (both directions), on top of the current cuts. */
  cut(pairs: readonly Pair[]): void {
    for (const [a, b] of pairs) if (a !== b) this.cuts.add(a < b ? `${a}-${b}` : `${b}-${a}`);
    this.apply();
  }

  /** Cuts server n off from every other server (clients still reach it). */
  isolate(n: number): void {
    const pairs: Pair[] = [];
    for (let m = 1; m <= this.count; m++) if (m !== n) pairs.push([n, m]);
    this.cut(pairs);
  }

  /** Two sides that cannot talk to each other; each side is whole. */
  split(side: readonly number[]): void {
    const pairs: Pair[] = [];
    for (let m = 1; m <= this.count; m++) if (!side.includes(m)) for (const n of side) pairs.push([n, m]);
    this.cut(pairs);
  }

  /** Each server sees only its two ring neighbours (n-1, n+1 mod count). */
  ring(): void {
    const pairs: Pair[] = [];
    for (let a = 1; a <= this.count; a++) {
      for (let b = a + 1; b <= this.count; b++) {
        const d = Math.min(b - a, this.count - (b - a));
        if (d > 1) pairs.push([a, b]);
      }
    }
    this.cut(pairs);
  }

  /** Drop `percent` of the packets between servers (0 = none), at random per packet. */
  loss(percent: number): void {
    this.lossPercent = percent;
    this.apply();
  }

  /** Removes every cut and the loss. */
  heal(): void {
    this.cuts.clear();
    this.lossPercent = 0;
    this.apply();
  }

  /** The pairs currently cut, e.g. ["1-2", "1-3"]. */
  get cutPairs(): string[] {
    return [...this.cuts].sort();
  }

  /** Rewrites the whole table in one nft transaction (delete + add is atomic within `-f`). */
  private apply(): void {
    const rules: string[] = [];
    for (const c of this.cuts) {
      const [a, b] = c.split('-').map(Number) as [number, number];
      rules.push(`iifname "${this.port(a)}" oifname "${this.port(b)}" drop`, `iifname "${this.port(b)}" oifname "${this.port(a)}" drop`);
    }
    // Forwarded = between two server ports; the clients' traffic is never forwarded.
    if (this.lossPercent > 0) rules.push(`numgen random mod 100 < ${this.lossPercent} drop`);
    const exists = spawnSync('nft', ['list', 'table', 'bridge', this.table], { stdio: 'ignore' }).status === 0;
    const script = `${exists ? `delete table bridge ${this.table}\n` : ''}table bridge ${this.table} {\n  chain cut {\n    type filter hook forward priority 0; policy accept;\n${rules.map((r) => `    ${r}\n`).join('')}  }\n}\n`;
    run('nft', ['-f', '-'], script);
  }

  /** Removes the table, the namespaces and the bridge (veths go with their namespace). */
  teardown(): void {
    if (!this.created) return;
    this.created = false;
    process.removeListener('exit', this.onExit);
    quiet('nft', ['delete', 'table', 'bridge', this.table]);
    for (let n = 1; n <= this.count; n++) quiet('ip', ['netns', 'del', this.ns(n)]);
    quiet('ip', ['link', 'del', this.bridge]);
    // Leftovers of this run only (e.g. a veth whose namespace was already gone).
    const links = spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout ?? '';
    for (const m of links.matchAll(new RegExp(`\\d+: (cts${this.id}p\\d+)[@:]`, 'g'))) quiet('ip', ['link', 'del', m[1] as string]);
  }

  /** What of run `id` is still on the machine (links, namespaces, nft table); [] when nothing. */
  static leftovers(id: string): string[] {
    const out: string[] = [];
    const links = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });
    if (links.includes(`cts${id}p`) || links.includes(`ctsbr${id}`)) out.push('links');
    if (execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(`cts-${id}-`)) out.push('namespaces');
    if (spawnSync('nft', ['list', 'table', 'bridge', `cts${id}`], { stdio: 'ignore' }).status === 0) out.push('nft table');
    return out;
  }
}
