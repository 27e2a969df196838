// Real `consul agent` processes on loopback with free ports, like Consul's sdk/testutil.
// Every agent is started in its own process group and stopped by PID; tests bound their time.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { stopProcessGroup } from './process-group.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The project root (dist/test/support -> ../../..). */
export const ROOT = path.resolve(here, '..', '..', '..');
export const CONSUL_BIN = path.join(ROOT, 'bin', 'consul');

export interface AgentPorts {
  http: number;
  dns: number;
  serfLan: number;
  serfWan: number;
  server: number;
}

export interface TestAgentOptions {
  args?: string[];
  dev?: boolean;
  dataDir?: string;
  ports?: AgentPorts;
  waitForLeader?: boolean;
  /** Extra environment for the agent process (LD_PRELOAD for faketime, ...). */
  env?: Record<string, string>;
  /** The `consul` entry to run (a bench may run another build beside this one); default CONSUL_BIN. */
  bin?: string;
}

export async function allocatePorts(): Promise<AgentPorts> {
  return { http: await freePort(), dns: await freePort(), serfLan: await freePort(), serfWan: await freePort(), server: await freePort() };
}

export class TestAgent {
  output = '';
  private exitWaiter: Promise<number | null>;

  private constructor(
    readonly proc: ChildProcess,
    readonly ports: AgentPorts,
  ) {
    proc.stdout?.on('data', (b: Buffer) => (this.output += b.toString()));
    proc.stderr?.on('data', (b: Buffer) => (this.output += b.toString()));
    this.exitWaiter = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  }

  get addr(): string {
    return `127.0.0.1:${this.ports.http}`;
  }

  get url(): string {
    return `http://${this.addr}`;
  }

  static async start(opts: TestAgentOptions = {}): Promise<TestAgent> {
    const ports = opts.ports ?? (await allocatePorts());
    const args = ['agent'];
    if (opts.dev ?? true) args.push('-dev');
    args.push(
      '-bind=127.0.0.1',
      '-client=127.0.0.1',
      `-http-port=${ports.http}`,
      `-dns-port=${ports.dns}`,
      `-serf-lan-port=${ports.serfLan}`,
      `-serf-wan-port=${ports.serfWan}`,
      `-server-port=${ports.server}`,
      '-log-level=info',
    );
    if (opts.dataDir) args.push(`-data-dir=${opts.dataDir}`);
    args.push(...(opts.args ?? []));
    const proc = spawn(process.execPath, [opts.bin ?? CONSUL_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...opts.env } });
    const agent = new TestAgent(proc, ports);
    if (opts.waitForLeader ?? true) await agent.waitForLeader();
    return agent;
  }

  async waitForLeader(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`${this.url}/v1/status/leader`);
        if (res.ok && ((await res.json()) as string) !== '') return;
      } catch {
        // not listening yet
      }
      if (this.proc.exitCode !== null) throw new Error(`agent exited (${this.proc.exitCode}):\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`agent had no leader within ${timeoutMs}ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Send a signal to the agent (by PID) and wait for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<number | null> {
    return stopProcessGroup(this.proc, this.exitWaiter, signal, timeoutMs);
  }

  kill9(): Promise<number | null> {
    return this.stop('SIGKILL');
  }

  exited(): Promise<number | null> {
    return this.exitWaiter;
  }
}

/** Run the CLI to completion; returns stdout, stderr and the exit code. */
export function runCli(args: string[], env: Record<string, string> = {}, input?: string, timeoutMs = 30_000): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CONSUL_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    p.stdin.end(input ?? '');
  });
}
