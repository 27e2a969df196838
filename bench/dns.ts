// DNS figures for a single dev agent (issue 3 item 7): queries/second for `web.service.consul`
// A and SRV with 100 healthy instances of `web` on 100 nodes. Load comes from Debian's dnsperf
// when it is installed (as ../shared/bench/dns does for nsd), else from a Node UDP client.
// Figures only: nothing here is a test.
//   npm run build && node dist/bench/dns.js [--seconds=10] [--loader=dnsperf|node] [--clients=4]
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dnsPacket from 'dns-packet';
import { TestAgent } from '../test/support/test-agent.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const SECONDS = Number(arg('seconds', '10'));
const INSTANCES = Number(arg('instances', '100'));
const hasDnsperf = spawnSync('sh', ['-c', 'command -v dnsperf'], { encoding: 'utf8' }).status === 0;
const LOADER = arg('loader', hasDnsperf ? 'dnsperf' : 'node');

async function registerInstances(agent: TestAgent): Promise<void> {
  for (let i = 0; i < INSTANCES; i++) {
    const body = {
      Node: `web-node-${i}`,
      Address: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      Service: { Service: 'web', Port: 8080 },
    };
    const res = await fetch(`${agent.url}/v1/catalog/register`, { method: 'PUT', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`register ${i}: ${res.status} ${await res.text()}`);
  }
}

function dnsperf(port: number, qtype: string, seconds: number, dir: string): { qps: number; lost: string } {
  const file = path.join(dir, `queries-${qtype}.txt`);
  writeFileSync(file, `web.service.consul ${qtype}\n`);
  const r = spawnSync('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', file, '-l', String(seconds)], {
    encoding: 'utf8',
    timeout: (seconds + 20) * 1000,
  });
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? NaN);
  const lost = /Queries lost:\s+(.*)/.exec(r.stdout)?.[1] ?? '?';
  if (Number.isNaN(qps)) process.stderr.write(r.stdout + r.stderr);
  return { qps, lost };
}

/** A Node UDP load generator: `clients` sockets, each keeping `window` queries in flight. */
async function nodeLoad(port: number, qtype: 'A' | 'SRV', seconds: number, clients = Number(arg('clients', '4')), window = 50): Promise<{ qps: number; lost: string }> {
  let answered = 0;
  let sent = 0;
  const end = Date.now() + seconds * 1000;
  const query = (id: number): Buffer => dnsPacket.encode({ type: 'query', id, flags: 0, questions: [{ type: qtype, name: 'web.service.consul' }] });
  await Promise.all(
    Array.from({ length: clients }, () => {
      return new Promise<void>((resolve) => {
        const sock = dgram.createSocket('udp4');
        let id = 0;
        const fire = (): void => {
          if (Date.now() >= end) return;
          sent++;
          sock.send(query(++id & 0xffff), port, '127.0.0.1');
        };
        sock.on('message', () => {
          answered++;
          fire();
        });
        // Re-prime lost queries once in a while so a dropped datagram does not stall the window.
        const refill = setInterval(() => fire(), 20);
        for (let i = 0; i < window; i++) fire();
        setTimeout(() => {
          clearInterval(refill);
          sock.close();
          resolve();
        }, seconds * 1000 + 200);
      });
    }),
  );
  return { qps: answered / seconds, lost: `${Math.max(0, sent - answered)} of ${sent}` };
}

async function main(): Promise<void> {
  const agent = await TestAgent.start();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dns-bench-'));
  try {
    await registerInstances(agent);
    const port = agent.ports.dns;
    console.log(`consul-ts DNS on 127.0.0.1:${port}, ${INSTANCES} instances of web, loader=${LOADER}, ${SECONDS}s per figure, ${os.cpus().length} CPUs`);
    for (const qtype of ['A', 'SRV'] as const) {
      // Warm-up: the first query builds the catalog view.
      if (LOADER === 'dnsperf') dnsperf(port, qtype, 2, dir);
      else await nodeLoad(port, qtype, 1);
      const r = LOADER === 'dnsperf' ? dnsperf(port, qtype, SECONDS, dir) : await nodeLoad(port, qtype, SECONDS);
      console.log(`web.service.consul ${qtype.padEnd(3)}  ${r.qps.toFixed(0).padStart(7)} queries/s   (lost: ${r.lost})`);
    }
  } finally {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
