// DNS load and the nsd anchor for bench/catalog-scale.ts. Load is Debian's dnsperf (as
// ../shared/bench/dns does); the anchor is nsd serving the same records as ours from a zone file,
// configured from ../shared/bench/dns/nsd.conf (paths and port rewritten for a scratch dir and a
// free port, so that other runs of the shared setup are not disturbed). A second anchor is the Node
// floor: a bare node:dgram responder (like ../shared/bench/dns-stub.js) that sends our agent's own
// answer bytes back with the query's ID, so it shows what Node's UDP path alone costs per answer of
// that size. Figures only.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import dnsPacket from 'dns-packet';

export const hasDnsTools = ['dnsperf', 'nsd'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`], { encoding: 'utf8' }).status === 0);

export interface DnsLoad {
  qps: number;
  lost: string;
  /** Average response size in bytes, as dnsperf reports it. */
  responseBytes: number;
}

/**
 * dnsperf for `seconds` against 127.0.0.1:port with one question, EDNS0 on (-e) so that a
 * 50-instance answer fits in one UDP datagram for both servers (without EDNS Consul trims to 3
 * records and nsd truncates, and the two would not send the same records).
 */
export async function dnsperf(port: number, qname: string, qtype: string, seconds: number, dir: string): Promise<DnsLoad> {
  const file = path.join(dir, `q-${qtype}.txt`);
  writeFileSync(file, `${qname} ${qtype}\n`);
  // Async: the caller's event loop keeps running the paced anti-entropy syncs meanwhile.
  const r = await promisify(execFile)('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-e', '-d', file, '-l', String(seconds)], { encoding: 'utf8', timeout: (seconds + 20) * 1000 });
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? NaN);
  if (Number.isNaN(qps)) process.stderr.write(r.stdout + r.stderr);
  return {
    qps,
    lost: /Queries lost:\s+(\S+)/.exec(r.stdout)?.[1] ?? '?',
    responseBytes: Number(/Average packet size:.*response\s+(\d+)/.exec(r.stdout)?.[1] ?? NaN),
  };
}

export interface ZoneInstance {
  node: string;
  address: string;
  port: number;
}

/** A `consul.` zone with the records our agent answers for `<service>.service.consul` A and SRV. */
export function zoneFor(service: string, instances: readonly ZoneInstance[], dc: string): string {
  const lines = ['$ORIGIN consul.', '$TTL 0', '@ IN SOA ns.consul. hostmaster.consul. 1 3600 600 86400 0', '@ IN NS ns.consul.', 'ns IN A 127.0.0.1'];
  for (const i of instances) lines.push(`${service}.service IN A ${i.address}`);
  for (const i of instances) lines.push(`${service}.service IN SRV 1 1 ${i.port} ${i.node}.node.${dc}.consul.`);
  for (const i of instances) lines.push(`${i.node}.node.${dc} IN A ${i.address}`);
  return lines.join('\n') + '\n';
}

const SHARED_CONF = (root: string): string => path.join(root, '..', 'shared', 'bench', 'dns', 'nsd.conf');

function nsdConf(root: string, dir: string, port: number): string {
  const shared = SHARED_CONF(root);
  const base = existsSync(shared)
    ? readFileSync(shared, 'utf8')
    : [
        'server:',
        '  ip-address: 127.0.0.1@8653',
        '  port: 8653',
        '  username: ""',
        '  chroot: ""',
        '  zonesdir: "/tmp/perf-research/nsd"',
        '  database: ""',
        '  zonelistfile: "/tmp/perf-research/nsd/zone.list"',
        '  xfrdfile: "/tmp/perf-research/nsd/xfrd.state"',
        '  xfrdir: "/tmp/perf-research/nsd"',
        '  pidfile: "/tmp/perf-research/nsd/nsd.pid"',
        '  logfile: "/tmp/perf-research/nsd/nsd.log"',
        '  server-count: 1',
        '  verbosity: 0',
        '  rrl-ratelimit: 0',
        'remote-control:',
        '  control-enable: no',
        'zone:',
        '  name: "service.consul"',
        '  zonefile: "service.consul.zone"',
        '',
      ].join('\n');
  // nsd caps EDNS answers at 1232 bytes by default; dnsperf -e offers 4096, which our agent
  // honours, so the 50-SRV answer (with its targets' A records) must fit on both sides.
  return base
    .replace(/^server:\n/m, 'server:\n  ipv4-edns-size: 4096\n')
    .replaceAll('/tmp/perf-research/nsd', dir)
    .replaceAll('8653', String(port))
    .replace('name: "service.consul"', 'name: "consul"')
    .replace('zonefile: "service.consul.zone"', 'zonefile: "consul.zone"');
}

/** Ask 127.0.0.1:port one question until it answers (NOERROR) or the deadline passes. */
async function waitAnswering(port: number, qname: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const sock = dgram.createSocket('udp4');
  try {
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 200);
        sock.once('message', (m) => {
          clearTimeout(t);
          resolve(((m[3] as number) & 0x0f) === 0); // NOERROR (a 50-record answer without EDNS comes back truncated)
        });
        sock.send(dnsPacket.encode({ type: 'query', id: 1, flags: 0, questions: [{ type: 'A', name: qname }] }), port, '127.0.0.1');
      });
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`nothing answered ${qname} on 127.0.0.1:${port} within ${timeoutMs} ms`);
    }
  } finally {
    sock.close();
  }
}

/** nsd in the foreground (-d) on `port` with `zone`; stop() kills it by PID. */
export async function startNsd(root: string, dir: string, port: number, zone: string, probe: string): Promise<{ stop: () => void }> {
  writeFileSync(path.join(dir, 'consul.zone'), zone);
  const conf = path.join(dir, 'nsd.conf');
  writeFileSync(conf, nsdConf(root, dir, port));
  const proc: ChildProcess = spawn('nsd', ['-d', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const stop = (): void => void proc.kill('SIGTERM');
  try {
    await waitAnswering(port, probe, 10_000);
  } catch (err) {
    stop();
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  return { stop };
}

/** One EDNS (4096) question to 127.0.0.1:port; the raw answer. */
export async function askOnce(port: number, qname: string, qtype: 'A' | 'SRV'): Promise<Buffer> {
  const sock = dgram.createSocket('udp4');
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no answer to ${qname} ${qtype} on 127.0.0.1:${port}`)), 5_000);
      sock.once('message', (m) => {
        clearTimeout(t);
        resolve(m);
      });
      const opt = { type: 'OPT', name: '.', udpPayloadSize: 4096, flags: 0, options: [] } as never;
      sock.send(dnsPacket.encode({ type: 'query', id: 7, flags: 0, questions: [{ type: qtype, name: qname }], additionals: [opt] }), port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

const FLOOR_SERVER = `
const answers = new Map(Object.entries(JSON.parse(process.argv[2])).map(([t, b]) => [Number(t), Buffer.from(b, 'base64')]));
const sock = require('dgram').createSocket('udp4');
sock.on('message', (msg, rinfo) => {
  let o = 12;
  while (o < msg.length && msg[o] !== 0) o += msg[o] + 1;
  const base = answers.get(msg.readUInt16BE(o + 1));
  if (!base) return;
  const out = Buffer.from(base);
  msg.copy(out, 0, 0, 2);
  sock.send(out, rinfo.port, rinfo.address);
});
sock.bind(Number(process.argv[1]), '127.0.0.1', () => console.log('ready'));
`;

/** The Node floor: answers each question of a type with `answers[type]` (its ID patched in). */
export async function startDnsFloor(port: number, answers: Record<number, Buffer>): Promise<{ stop: () => void }> {
  const arg = JSON.stringify(Object.fromEntries(Object.entries(answers).map(([t, b]) => [t, b.toString('base64')])));
  const proc = spawn(process.execPath, ['-e', FLOOR_SERVER, String(port), arg], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => proc.stdout?.once('data', () => resolve()));
  return { stop: () => void proc.kill('SIGKILL') };
}
