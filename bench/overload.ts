// A well-behaved client's latency while an abusive one runs (issue 17 item 4), against one dev
// agent with Consul's default limits. Phases, each measured with the same well-behaved client
// (one keep-alive connection from 127.0.0.1, sequential GET /v1/kv/bench/ok):
//   idle      no other load (the anchor);
//   flood     a second client from 127.0.0.2 opens --conns connections (held open);
//   hammer    the flood plus --workers keep-alive connections from 127.0.0.2 sending as fast as
//             they can (only http_max_conns_per_client of its connections are admitted).
// Prints p50/p99 per phase and the agent's RSS after each. Figures only: not a test.
//   npm run build && node dist/bench/overload.js [--conns=5000] [--workers=64] [--requests=2000]
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { TestAgent } from '../test/support/test-agent.js';

function arg(name: string, dflt: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : Number(a.slice(name.length + 3));
}
const CONNS = arg('conns', 5_000);
const WORKERS = arg('workers', 64);
const REQUESTS = arg('requests', 2_000);

const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

function get(agentPort: number, path: string, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: agentPort, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

async function measure(port: number): Promise<{ p50: number; p99: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const lat: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = performance.now();
    await get(port, '/v1/kv/bench/ok', agent);
    lat.push(performance.now() - t0);
  }
  agent.destroy();
  lat.sort((a, b) => a - b);
  return { p50: lat[Math.floor(lat.length / 2)] as number, p99: lat[Math.floor(lat.length * 0.99)] as number };
}

const agent = await TestAgent.start({ args: ['-node=overload'] });
const pid = agent.proc.pid as number;
const held: net.Socket[] = [];
let hammering = true;
try {
  await fetch(`${agent.url}/v1/kv/bench/ok`, { method: 'PUT', body: 'x' });
  const rows: string[] = [];
  const row = (phase: string, m: { p50: number; p99: number }): void => {
    rows.push(`${phase.padEnd(8)} p50 ${m.p50.toFixed(2).padStart(7)} ms   p99 ${m.p99.toFixed(2).padStart(7)} ms   agent RSS ${rssMiB(pid).toFixed(0)} MiB`);
    console.error(rows[rows.length - 1]);
  };
  row('idle', await measure(agent.ports.http));

  const opened = await Promise.allSettled(
    Array.from(
      { length: CONNS },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect({ port: agent.ports.http, host: '127.0.0.1', localAddress: '127.0.0.2' }, () => resolve(s));
          s.on('error', reject);
        }),
    ),
  );
  for (const o of opened) if (o.status === 'fulfilled') held.push(o.value);
  row('flood', await measure(agent.ports.http));

  const abusive = new http.Agent({ keepAlive: true, maxSockets: WORKERS, localAddress: '127.0.0.2' });
  let sent = 0;
  const workers = Array.from({ length: WORKERS }, async () => {
    while (hammering) {
      await get(agent.ports.http, '/v1/kv/bench/ok', abusive).catch(() => undefined);
      sent++;
    }
  });
  const started = performance.now();
  row('hammer', await measure(agent.ports.http));
  hammering = false;
  await Promise.all(workers);
  abusive.destroy();
  console.log(`overload (one dev agent, default limits; ${CONNS} held connections from 127.0.0.2, ${WORKERS} hammering workers at ${((sent / (performance.now() - started)) * 1000).toFixed(0)} req/s)`);
  for (const r of rows) console.log(r);
} finally {
  hammering = false;
  for (const s of held) s.destroy();
  await agent.stop();
}
