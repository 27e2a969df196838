// consul-template render latency: time from a health change (a TTL check going critical, or
// back to passing) to the rendered file on disk, with 1 and 100 watched services, against a real
// dev agent and the real bin/consul-template daemon. Target: p99 < wait.min + 100 ms.
// Figures only; nothing here is a test.
//   npm run build && node dist/bench/template.js [--services=1,100] [--changes=40] [--wait=250ms:1s]
// Everything started is stopped by PID, and the run is bounded in time.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stopProcessGroup } from '../test/support/process-group.js';
import { ROOT, TestAgent } from '../test/support/test-agent.js';
import { tmpDir } from '../test/support/tmp-dir.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const SERVICE_COUNTS = arg('services', '1,100').split(',').map(Number);
const CHANGES = Number(arg('changes', '40'));
const WAIT = arg('wait', '250ms:1s');
const WAIT_MIN_MS = Number(/^(\d+)ms/.exec(WAIT)?.[1] ?? Number(/^(\d+)s/.exec(WAIT)?.[1] ?? 0) * 1000);
const DEADLINE = Date.now() + Number(arg('timeout', '600')) * 1000;

const TEMPLATE = '{{ range services }}{{ range service .Name }}{{ .Name }} {{ .ID }} {{ .Address }}:{{ .Port }}\n{{ end }}{{ end }}';

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function put(url: string, body?: unknown): Promise<void> {
  const res = await fetch(url, { method: 'PUT', body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`PUT ${url}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

async function until(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<number> {
  const start = performance.now();
  while (!cond()) {
    if (performance.now() - start > timeoutMs || Date.now() > DEADLINE) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
  return performance.now() - start;
}

async function measure(n: number): Promise<void> {
  const dir = tmpDir('ct-bench-');
  const agent = await TestAgent.start({ args: ['-log-level=warn'] });
  let ct: ChildProcess | undefined;
  let ctExit: Promise<number | null> | undefined;
  try {
    for (let i = 0; i < n; i++) {
      await put(`${agent.url}/v1/agent/service/register`, { Name: `svc${i}`, ID: `svc${i}`, Port: 10_000 + i, Check: { CheckID: `chk${i}`, TTL: '10m', Status: 'passing' } });
    }
    const src = path.join(dir.path, 'in.ctmpl');
    const out = path.join(dir.path, 'out');
    writeFileSync(src, TEMPLATE);
    ct = spawn(process.execPath, [path.join(ROOT, 'bin', 'consul-template'), '-consul-addr', agent.addr, '-wait', WAIT, '-template', `${src}:${out}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
      detached: true,
    });
    const proc = ct;
    ctExit = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
    const read = (): string => {
      try {
        return readFileSync(out, 'utf8');
      } catch {
        return '';
      }
    };
    await until(() => read().split('\n').filter((l) => l.startsWith('svc')).length === n, 'first render');
    const lat: number[] = [];
    for (let k = 0; k < CHANGES; k++) {
      const i = k % n;
      const line = `svc${i} svc${i} `;
      const critical = k % 2 === 0 || n > 1;
      const t0 = performance.now();
      await put(`${agent.url}/v1/agent/check/${critical ? 'fail' : 'pass'}/chk${i}`);
      await until(() => read().includes(line) !== critical, `render after check ${critical ? 'fail' : 'pass'}`);
      lat.push(performance.now() - t0);
      if (n > 1) {
        // Restore this instance before the next change (not timed).
        await put(`${agent.url}/v1/agent/check/pass/chk${i}`);
        await until(() => read().includes(line), 'restore');
      }
    }
    lat.sort((a, b) => a - b);
    if (process.env.BENCH_VERBOSE) console.log(lat.map((x) => x.toFixed(0)).join(" "));
    console.log(
      `${String(n).padStart(3)} services (${n + 1} watches), ${CHANGES} changes, wait ${WAIT}: p50 ${pct(lat, 50).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms, max ${lat[lat.length - 1]!.toFixed(0)} ms; target p99 < ${WAIT_MIN_MS + 100} ms`,
    );
  } finally {
    if (ct && ctExit) await stopProcessGroup(ct, ctExit, 'SIGTERM', 5000);
    await agent.stop();
    dir.remove();
  }
}

for (const n of SERVICE_COUNTS) await measure(n);
process.exit(0);
