// Debian's `serf agent` (HashiCorp serf 0.9.4 / memberlist 0.2.2) as the reference peer for the
// gossip integration tests and the gossip benchmark, plus a minimal client for serf's own RPC
// protocol (msgpack over TCP: a {Command, Seq} header, then a body for some commands; the reply is
// a {Seq, Error} header, then a body for some commands). Talking RPC directly instead of running
// `serf members` per poll keeps polling cheap (no Go process start per sample).
//
// MUST: loopback only; every agent runs in its own process group and is stopped by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { asArray, asMap, asString, decode, encode, MsgpackTruncated, type EncodableValue, type GoMap, type GoValue } from '../../src/core/gossip/wire/msgpack.js';
import { freePort } from './free-port.js';
import { stopProcessGroup } from './process-group.js';

export const SERF_BIN = '/usr/bin/serf';

export interface SerfAgentOptions {
  name: string;
  tags?: Record<string, string>;
  /** Base64 gossip key (`-encrypt`). */
  encrypt?: string;
  /** A script run for every event (`-event-handler`). */
  eventHandler?: string;
  logLevel?: 'debug' | 'info' | 'warn';
  bindPort?: number;
  rpcPort?: number;
  /** How long to wait for the RPC listener. */
  startTimeoutMs?: number;
}

/** A member as serf's RPC `members` command answers it. */
export interface SerfRpcMember {
  name: string;
  addr: string;
  port: number;
  tags: Record<string, string>;
  status: string;
}

export class SerfAgent {
  output = '';
  private readonly exitWaiter: Promise<number | null>;
  private client: SerfRpcClient | undefined;

  private constructor(
    readonly proc: ChildProcess,
    readonly name: string,
    readonly bindPort: number,
    readonly rpcPort: number,
  ) {
    proc.stdout?.on('data', (b: Buffer) => (this.output += b.toString()));
    proc.stderr?.on('data', (b: Buffer) => (this.output += b.toString()));
    this.exitWaiter = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  }

  /** host:port of the gossip listener (what others join). */
  get gossipAddr(): string {
    return `127.0.0.1:${this.bindPort}`;
  }

  get rpcAddr(): string {
    return `127.0.0.1:${this.rpcPort}`;
  }

  static async start(o: SerfAgentOptions): Promise<SerfAgent> {
    const bindPort = o.bindPort ?? (await freePort());
    const rpcPort = o.rpcPort ?? (await freePort());
    const args = ['agent', `-node=${o.name}`, `-bind=127.0.0.1:${bindPort}`, `-advertise=127.0.0.1:${bindPort}`, `-rpc-addr=127.0.0.1:${rpcPort}`, `-log-level=${o.logLevel ?? 'info'}`];
    for (const [k, v] of Object.entries(o.tags ?? {})) args.push('-tag', `${k}=${v}`);
    if (o.encrypt) args.push(`-encrypt=${o.encrypt}`);
    if (o.eventHandler) args.push(`-event-handler=${o.eventHandler}`);
    const proc = spawn(SERF_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const agent = new SerfAgent(proc, o.name, bindPort, rpcPort);
    const deadline = Date.now() + (o.startTimeoutMs ?? 10_000);
    for (;;) {
      try {
        agent.client = await SerfRpcClient.connect(agent.rpcAddr);
        return agent;
      } catch {
        // not listening yet
      }
      if (proc.exitCode !== null) throw new Error(`serf agent ${o.name} exited (${proc.exitCode}):\n${agent.output}`);
      if (Date.now() > deadline) {
        await agent.stop('SIGKILL');
        throw new Error(`serf agent ${o.name} RPC not up:\n${agent.output}`);
      }
      await sleep(30);
    }
  }

  get rpc(): SerfRpcClient {
    if (!this.client) throw new Error('serf RPC not connected');
    return this.client;
  }

  members(): Promise<SerfRpcMember[]> {
    return this.rpc.members();
  }

  /** Run the `serf` CLI against this agent's RPC address. */
  cli(args: string[], timeoutMs = 20_000): Promise<{ stdout: string; stderr: string; code: number | null }> {
    const [cmd = '', ...rest] = args;
    return runProcess(SERF_BIN, [cmd, `-rpc-addr=${this.rpcAddr}`, ...rest], timeoutMs);
  }

  /** Signal the process group and wait for the exit (SIGKILL after the timeout). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<number | null> {
    this.client?.close();
    this.client = undefined;
    return stopProcessGroup(this.proc, this.exitWaiter, signal, timeoutMs);
  }

  kill9(): Promise<number | null> {
    return this.stop('SIGKILL');
  }
}

/** serf's IPC protocol, one request at a time (the only way the tests use it). */
export class SerfRpcClient {
  private buf: Buffer = Buffer.alloc(0);
  private seq = 0;
  private waiter: (() => void) | undefined;
  private closed = false;
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.wake();
    });
    const end = (): void => {
      this.closed = true;
      this.wake();
    };
    sock.on('close', end);
    sock.on('error', end);
  }

  static async connect(addr: string, timeoutMs = 2_000): Promise<SerfRpcClient> {
    const [host = '127.0.0.1', port = '0'] = addr.split(':');
    const sock = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port: Number(port) });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error('connect timeout'));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    sock.setNoDelay(true);
    const c = new SerfRpcClient(sock);
    await c.call('handshake', { Version: 1 }, false);
    return c;
  }

  close(): void {
    this.closed = true;
    this.sock.destroy();
  }

  async members(): Promise<SerfRpcMember[]> {
    const body = asMap(await this.call('members', undefined, true), 'members response');
    return asArray(body.Members, 'Members').map((v) => toMember(asMap(v, 'member')));
  }

  /** serf's join RPC; resolves with the number of nodes contacted (rejects with serf's error). */
  async join(addrs: string[], replay = false): Promise<number> {
    const body = asMap(await this.call('join', { Existing: addrs, Replay: replay }, true), 'join response');
    return Number(body.Num ?? 0);
  }

  async event(name: string, payload: Uint8Array, coalesce: boolean): Promise<void> {
    await this.call('event', { Name: name, Payload: payload, Coalesce: coalesce }, false);
  }

  /** One request; requests are serialised so that replies pair up with them in order. */
  call(command: string, body: EncodableValue, expectBody: boolean): Promise<GoValue> {
    const run = async (): Promise<GoValue> => {
      const seq = this.seq++;
      const header = encode({ Command: command, Seq: seq });
      this.sock.write(body === undefined ? header : Buffer.concat([header, encode(body)]));
      const resp = asMap(await this.readValue(), 'response header');
      const error = resp.Error instanceof Uint8Array ? asString(resp.Error) : '';
      // serf sends the body even when the header carries an error; read it to stay in step.
      const value = expectBody ? await this.readValue() : null;
      if (error) throw new Error(error);
      return value;
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private async readValue(timeoutMs = 15_000): Promise<GoValue> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.buf.length > 0) {
        try {
          const { value, end } = decode(this.buf, 0);
          this.buf = this.buf.subarray(end);
          return value;
        } catch (err) {
          if (!(err instanceof MsgpackTruncated)) throw err;
        }
      }
      if (this.closed) throw new Error('serf RPC connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('serf RPC reply timed out');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

function toMember(m: GoMap): SerfRpcMember {
  const tags: Record<string, string> = {};
  const t = m.Tags;
  if (t && typeof t === 'object' && !(t instanceof Uint8Array) && !Array.isArray(t)) {
    for (const [k, v] of Object.entries(t)) tags[k] = v instanceof Uint8Array ? asString(v) : String(v);
  }
  const addr = m.Addr instanceof Uint8Array ? ipText(m.Addr) : '';
  return { name: asString(m.Name, 'Name'), addr, port: Number(m.Port ?? 0), tags, status: asString(m.Status, 'Status') };
}

/** net.IP as serf sends it: 4 bytes, or 16 (IPv4-mapped for IPv4 addresses). */
function ipText(b: Uint8Array): string {
  const v4mapped = b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  if (b.length === 4 || v4mapped) return [...b.subarray(b.length - 4)].join('.');
  const groups: string[] = [];
  for (let i = 0; i < b.length; i += 2) groups.push((((b[i] ?? 0) << 8) | (b[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

/** Run a program to completion with a bound; returns its output and exit code. */
export function runProcess(bin: string, args: string[], timeoutMs = 20_000): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll `check` every `stepMs` until it returns a value (not undefined) or the time is up. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, stepMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
    await sleep(stepMs);
  }
}
