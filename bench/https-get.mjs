#!/usr/bin/env node
// HTTPS GET throughput against plain HTTP on the same agent in the same run (issue 12: >= 0.6x),
// with keep-alive connections (wrk, 64 connections, 1 thread), `GET /v1/kv/bench/k` (a 256-byte
// value, default consistency). Anchor: the same ratio for stunnel4 terminating TLS in front of a
// bare Node HTTP server that sends the agent's exact answer, so the figure can be read against
// what TLS costs a plain Node server on this machine. Rounds are interleaved so that drift in the
// machine's speed hits every target alike; medians are printed. Figures only, never a test.
//   npm run build && node bench/https-get.mjs [--seconds=5] [--rounds=3]
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { TestAgent } from '../dist/test/support/test-agent.js';
import { freePort } from '../dist/test/support/free-port.js';
import { makeTestCerts } from '../dist/test/support/tls-certs.js';

const arg = (name, dflt) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const SECONDS = Number(arg('seconds', '5'));
const ROUNDS = Number(arg('rounds', '3'));
const KEY_PATH = '/v1/kv/bench/k';
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
if (!has('wrk')) {
  console.error('wrk (Debian package wrk) is required');
  process.exit(1);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function wrk(url) {
  const r = spawnSync('wrk', ['-t1', '-c64', `-d${SECONDS}s`, '--latency', url], { encoding: 'utf8' });
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(r.stdout);
  if (!m) throw new Error(`wrk failed for ${url}: ${r.stdout}${r.stderr}`);
  if (errors) console.error(`  (wrk ${url}: ${errors[0]})`);
  return Number(m[1]);
}

async function waitFor(url, opts = {}) {
  const end = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(url, opts);
      if (res.ok) return res;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`${url} never answered`);
    await sleep(100);
  }
}

const certs = makeTestCerts();
const stops = [];
try {
  // The agent: plain HTTP and HTTPS on the same process.
  const httpsPort = await freePort();
  const conf = path.join(certs.dir, 'bench.hcl');
  writeFileSync(conf, `ports { https = ${httpsPort} }\ntls { defaults { ca_file = "${certs.caFile}" cert_file = "${certs.server.cert}" key_file = "${certs.server.key}" } }\nlog_level = "warn"\n`);
  const agent = await TestAgent.start({ args: [`-config-file=${conf}`] });
  stops.push(() => agent.stop());
  await fetch(`${agent.url}${KEY_PATH}`, { method: 'PUT', body: 'v'.repeat(256) });
  const sample = await fetch(`${agent.url}${KEY_PATH}`);
  const body = await sample.text();
  const headers = Object.fromEntries([...sample.headers.entries()].filter(([k]) => !['date', 'content-length', 'connection', 'keep-alive'].includes(k)));

  // The anchor: a bare Node HTTP server sending the same bytes, and stunnel4 in front of it.
  const barePort = await freePort();
  const bareSrc = `require('node:http').createServer({ keepAliveTimeout: 30000 }, (q, s) => { s.writeHead(200, ${JSON.stringify(headers)}); s.end(${JSON.stringify(body)}); }).listen(${barePort}, '127.0.0.1');`;
  const bare = spawn(process.execPath, ['-e', bareSrc], { stdio: 'ignore' });
  stops.push(() => bare.kill('SIGKILL'));
  await waitFor(`http://127.0.0.1:${barePort}/`);
  let stunnelPort;
  if (has('stunnel4')) {
    stunnelPort = await freePort();
    const stunnelConf = path.join(certs.dir, 'stunnel.conf');
    writeFileSync(stunnelConf, `foreground = yes\npid =\n[https]\naccept = 127.0.0.1:${stunnelPort}\nconnect = 127.0.0.1:${barePort}\ncert = ${certs.server.cert}\nkey = ${certs.server.key}\nsslVersionMin = TLSv1.2\n`);
    const stunnel = spawn('stunnel4', [stunnelConf], { stdio: 'ignore' });
    stops.push(() => stunnel.kill('SIGKILL'));
    await sleep(500);
  }

  const targets = {
    agentHttp: `${agent.url}${KEY_PATH}`,
    agentHttps: `https://127.0.0.1:${httpsPort}${KEY_PATH}`,
    bareHttp: `http://127.0.0.1:${barePort}${KEY_PATH}`,
    ...(stunnelPort ? { stunnelHttps: `https://127.0.0.1:${stunnelPort}${KEY_PATH}` } : {}),
  };
  const results = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
  for (const url of Object.values(targets)) wrk(url); // warm-up
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [k, url] of Object.entries(targets)) {
      const rps = wrk(url);
      results[k].push(rps);
      console.log(`round ${round} ${k.padEnd(13)} ${rps.toFixed(0).padStart(7)} req/s`);
    }
  }
  const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
  console.log('');
  console.log(`agent HTTPS GET ${m.agentHttps.toFixed(0)}/s vs HTTP ${m.agentHttp.toFixed(0)}/s: ${(m.agentHttps / m.agentHttp).toFixed(2)}x (target >= 0.6x)`);
  if (m.stunnelHttps) {
    console.log(`anchor: stunnel4 in front of a bare Node HTTP server ${m.stunnelHttps.toFixed(0)}/s vs the bare server ${m.bareHttp.toFixed(0)}/s: ${(m.stunnelHttps / m.bareHttp).toFixed(2)}x`);
    console.log(`        agent HTTPS / stunnel4 HTTPS: ${(m.agentHttps / m.stunnelHttps).toFixed(2)}x`);
  }
  console.log(`(wrk -t1 -c64 -d${SECONDS}s keep-alive, medians of ${ROUNDS} interleaved rounds, ${SECONDS}s each; loopback, load on the same machine)`);
} finally {
  for (const s of stops.reverse()) await s();
  certs.remove();
}
