// Connect proxy figures, side by side with two stunnel4 tunnels (Debian's stunnel4, mutual TLS with
// the same leaf certificates) as the TLS-tunnel anchor, in the same run:
//   throughput (bytes through the pair), connection rate, added p50 latency, intention flip p99,
//   RSS of an idle proxy with 2 upstreams.
// Figures only; nothing here is a test.
//   npm run build && node dist/bench/connect.js [--gib=1] [--conns=300] [--pings=2000] [--flips=20]
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../test/support/free-port.js';
import { stopProcessGroup } from '../test/support/process-group.js';
import { CONSUL_BIN, TestAgent } from '../test/support/test-agent.js';
import { tmpDir } from '../test/support/tmp-dir.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const GIB = Number(arg('gib', '1'));
const CONNS = Number(arg('conns', '300'));
const PINGS = Number(arg('pings', '2000'));
const FLIPS = Number(arg('flips', '20'));
const STUNNEL = spawnSync('sh', ['-c', 'command -v stunnel4 || command -v stunnel'], { encoding: 'utf8' }).stdout.trim();

const dir = tmpDir('connect-bench-');
const procs: { proc: ChildProcess; exited: Promise<number | null> }[] = [];

function start(cmd: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const log = openSync(path.join(dir.path, `${procs.length}.log`), 'a');
  const proc = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', log, log], detached: true });
  procs.push({ proc, exited: new Promise((r) => proc.once('exit', r)) });
  return proc;
}

/**
 * Backend: echoes small reads (latency, connection rate); a connection that starts with "S" and
 * an 8-byte length is a sink that answers "k" once it has read that many bytes (throughput,
 * without relying on half-close).
 */
function backend(): Promise<number> {
  const s = net.createServer((c) => {
    let sink: { want: number; got: number } | undefined;
    c.on('data', (d) => {
      if (!sink && d[0] === 0x53 && d.length >= 9) {
        sink = { want: Number(d.readBigUInt64BE(1)), got: d.length - 9 };
      } else if (sink) sink.got += d.length;
      else c.write(d);
      if (sink && sink.got >= sink.want) {
        c.write('k');
        sink = undefined;
      }
    });
    c.on('error', () => c.destroy());
  });
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));
}

async function waitEcho(port: number, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if ((await roundTrip(port).catch(() => -1)) >= 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no echo on ${port}`);
}

/** One connection, one byte there and back, closed: its duration in ms. */
function roundTrip(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const s = net.connect(port, '127.0.0.1', () => s.write('x'));
    s.once('data', () => {
      resolve(Number(process.hrtime.bigint() - t0) / 1e6);
      s.destroy();
    });
    s.on('error', reject);
    s.once('close', () => reject(new Error('closed')));
    s.setTimeout(3000, () => s.destroy());
  });
}

async function connRate(port: number): Promise<number> {
  const t0 = Date.now();
  for (let i = 0; i < CONNS; i++) await roundTrip(port);
  return (CONNS * 1000) / (Date.now() - t0);
}

/** p50 round trip of small messages over one open connection. */
function pingP50(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    const s = net.connect(port, '127.0.0.1');
    let t0 = 0n;
    const ping = (): void => {
      t0 = process.hrtime.bigint();
      s.write('p');
    };
    s.on('connect', ping);
    s.on('data', () => {
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (times.length < PINGS) ping();
      else {
        s.destroy();
        times.sort((a, b) => a - b);
        resolve(times[Math.floor(times.length / 2)] as number);
      }
    });
    s.on('error', reject);
  });
}

/** Push `bytes` through in 64 KiB chunks; MB/s until the backend confirms it read them all. */
function throughput(port: number, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(65536, 97);
    const t0 = Date.now();
    let sent = 0;
    const s = net.connect(port, '127.0.0.1');
    const pump = (): void => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!s.write(chunk)) return void s.once('drain', pump);
      }
    };
    s.on('connect', () => {
      const head = Buffer.alloc(9);
      head[0] = 0x53;
      head.writeBigUInt64BE(BigInt(Math.ceil(bytes / chunk.length) * chunk.length), 1);
      s.write(head);
      pump();
    });
    s.once('data', () => {
      resolve(bytes / 1e6 / ((Date.now() - t0) / 1000));
      s.destroy();
    });
    s.on('error', reject);
  });
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function cli(agent: TestAgent, ...args: string[]): Promise<void> {
  await new Promise<void>((r) => execFile(process.execPath, [CONSUL_BIN, ...args], { env: { ...process.env, CONSUL_HTTP_ADDR: agent.addr } }, () => r()));
}

async function main(): Promise<void> {
  const backendPort = await backend();
  const upPort = await freePort();
  writeFileSync(path.join(dir.path, 'socat.json'), JSON.stringify({ service: { name: 'socat', port: backendPort, connect: { sidecar_service: {} } } }));
  writeFileSync(path.join(dir.path, 'web.json'), JSON.stringify({ service: { name: 'web', port: 8080, connect: { sidecar_service: { proxy: { upstreams: [{ destination_name: 'socat', local_bind_port: upPort }] } } } } }));
  console.error('starting the agent and the proxies');
  const agent = await TestAgent.start({ args: [`-config-dir=${dir.path}`] });
  const env = { CONSUL_HTTP_ADDR: agent.addr };
  start(process.execPath, [CONSUL_BIN, 'connect', 'proxy', '-sidecar-for', 'socat'], env);
  start(process.execPath, [CONSUL_BIN, 'connect', 'proxy', '-sidecar-for', 'web'], env);
  await waitEcho(upPort);

  // stunnel4 pair with the same certificates: client (plain in, TLS out) -> server (TLS in, plain out).
  let stunnelPort = 0;
  if (STUNNEL) {
    const get = async (p: string) => (await fetch(`${agent.url}${p}`)).json() as Promise<Record<string, unknown>>;
    const roots = (await get('/v1/agent/connect/ca/roots')) as { Roots: { RootCert: string }[] };
    const f = (name: string, text: string): string => (writeFileSync(path.join(dir.path, name), text), path.join(dir.path, name));
    const ca = f('ca.pem', roots.Roots.map((r) => r.RootCert).join(''));
    const files = async (svc: string) => {
      const l = (await get(`/v1/agent/connect/ca/leaf/${svc}`)) as { CertPEM: string; PrivateKeyPEM: string };
      return { cert: f(`${svc}.pem`, l.CertPEM), key: f(`${svc}.key`, l.PrivateKeyPEM) };
    };
    const srv = await files('socat');
    const cli2 = await files('web');
    const tlsPort = await freePort();
    stunnelPort = await freePort();
    const conf = (name: string, body: string) => f(name, `foreground = yes\npid =\nsyslog = no\ndebug = 0\n${body}`);
    start(STUNNEL, [conf('s.conf', `[s]\naccept = 127.0.0.1:${tlsPort}\nconnect = 127.0.0.1:${backendPort}\ncert = ${srv.cert}\nkey = ${srv.key}\nCAfile = ${ca}\nverifyChain = yes\nsslVersionMin = TLSv1.2\n`)]);
    start(STUNNEL, [conf('c.conf', `[c]\nclient = yes\naccept = 127.0.0.1:${stunnelPort}\nconnect = 127.0.0.1:${tlsPort}\ncert = ${cli2.cert}\nkey = ${cli2.key}\nCAfile = ${ca}\nverifyChain = yes\n`)]);
    await waitEcho(stunnelPort);
  }

  // The same tunnel in plain Node (bench/tls-tunnel.ts): the floor for the connection rate.
  let barePort = 0;
  {
    const get = async (p: string) => (await fetch(`${agent.url}${p}`)).json() as Promise<Record<string, unknown>>;
    const roots = (await get('/v1/agent/connect/ca/roots')) as { Roots: { RootCert: string }[] };
    const f = (name: string, text: string): string => (writeFileSync(path.join(dir.path, name), text), path.join(dir.path, name));
    const ca = f('bare-ca.pem', roots.Roots.map((r) => r.RootCert).join(''));
    const leaf = async (svc: string) => {
      const l = (await get(`/v1/agent/connect/ca/leaf/${svc}`)) as { CertPEM: string; PrivateKeyPEM: string };
      return { cert: f(`bare-${svc}.pem`, l.CertPEM), key: f(`bare-${svc}.key`, l.PrivateKeyPEM) };
    };
    const srv = await leaf('socat');
    const cl = await leaf('web');
    const tunnel = path.join(path.dirname(new URL(import.meta.url).pathname), 'tls-tunnel.js');
    const tlsPort = await freePort();
    barePort = await freePort();
    start(process.execPath, [tunnel, 'server', String(tlsPort), String(backendPort), srv.cert, srv.key, ca]);
    start(process.execPath, [tunnel, 'client', String(barePort), String(tlsPort), cl.cert, cl.key, ca]);
    await waitEcho(barePort);
  }

  const rows: [string, string, string][] = [];
  const both = async (label: string, fn: (port: number) => Promise<number>, unit: string) => {
    console.error(`measuring: ${label}`);
    const ours = await fn(upPort);
    const theirs = stunnelPort ? await fn(stunnelPort) : NaN;
    rows.push([label, `${ours.toFixed(1)} ${unit}`, stunnelPort ? `${theirs.toFixed(1)} ${unit} (ratio ${(ours / theirs).toFixed(2)}x)` : 'stunnel4 not installed']);
  };
  const bytes = GIB * 1024 ** 3;
  await both(`throughput, ${GIB} GiB through the pair`, (p) => throughput(p, bytes), 'MB/s');
  await both(`connection rate, ${CONNS} sequential connect+echo`, connRate, 'conn/s');
  {
    const bare = await connRate(barePort);
    const ours = Number(rows[rows.length - 1]?.[1].split(' ')[0]);
    const st = Number(rows[rows.length - 1]?.[2].split(' ')[0]);
    rows.push([`connection rate, the same tunnel in plain Node (the floor)`, `${bare.toFixed(1)} conn/s (ours ${(ours / bare).toFixed(2)}x of it)`, stunnelPort ? `floor / stunnel4 ${(bare / st).toFixed(2)}x` : '']);
  }
  const direct = await pingP50(backendPort);
  const oursP50 = await pingP50(upPort);
  const stP50 = stunnelPort ? await pingP50(stunnelPort) : NaN;
  rows.push(['added p50 latency (ping-pong over one connection)', `${(oursP50 - direct).toFixed(3)} ms`, stunnelPort ? `${(stP50 - direct).toFixed(3)} ms (ratio ${((oursP50 - direct) / (stP50 - direct)).toFixed(2)}x)` : '']);

  // Intention flip: from `consul intention create -deny` returning to the first refused new connection, and back.
  const flips: number[] = [];
  const until = async (want: boolean): Promise<number> => {
    const t0 = Date.now();
    for (;;) {
      const ok = (await roundTrip(upPort).catch(() => -1)) >= 0;
      if (ok === want) return Date.now() - t0;
    }
  };
  for (let i = 0; i < FLIPS; i++) {
    await cli(agent, 'intention', 'create', '-deny', 'web', 'socat');
    flips.push(await until(false));
    await cli(agent, 'intention', 'delete', 'web', 'socat');
    flips.push(await until(true));
  }
  flips.sort((a, b) => a - b);
  rows.push([`intention flip, ${flips.length} flips`, `p50 ${flips[Math.floor(flips.length / 2)]} ms, p99 ${flips[Math.min(flips.length - 1, Math.floor(flips.length * 0.99))]} ms`, '']);

  const idleA = await freePort();
  const idleB = await freePort();
  const idle = start(process.execPath, [CONSUL_BIN, 'connect', 'proxy', '-service', 'idle', '-upstream', `socat:${idleA}`, '-upstream', `web:${idleB}`], env);
  await new Promise((r) => setTimeout(r, 3000));
  rows.push(['RSS of an idle proxy with 2 upstreams', `${rssMiB(idle.pid as number).toFixed(1)} MiB`, '']);

  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
  for (const p of procs) await stopProcessGroup(p.proc, p.exited, 'SIGTERM', 3000);
  await agent.stop();
  dir.remove();
  process.exit(0);
}

process.on('uncaughtException', (err) => void fail(err));
main().catch((err: unknown) => fail(err));

async function fail(err: unknown): Promise<void> {
  console.error(err);
  for (let i = 0; i < procs.length; i++) console.error(readFileSync(path.join(dir.path, `${i}.log`), 'utf8').slice(-600));
  for (const p of procs) await stopProcessGroup(p.proc, p.exited, 'SIGKILL', 1000);
  dir.remove();
  process.exit(1);
}
