// Web UI figures in the same headless Debian chromium the tests use (playwright-core):
//   - time to first render of /ui/dc1/services with 1,000 and 10,000 services (navigation start
//     to the list showing its total; targets < 1 s and < 2 s), a fresh browser context each time;
//   - the first-load bundle size, gzipped (target <= 250 KiB);
//   - agent CPU while 10 UI tabs sit idle on their blocking queries (target: near zero).
// Figures only; nothing here is a test.
//   npm run build && node dist/bench/ui.js [--sizes=1000,10000] [--idle-seconds=20]
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Pool } from 'undici';
import { launchBrowser } from '../test/support/browser.js';
import { ROOT, TestAgent } from '../test/support/test-agent.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const SIZES = arg('sizes', '1000,10000').split(',').map(Number);
const IDLE_SECONDS = Number(arg('idle-seconds', '20'));
const TABS = 10;
const SERVICES_PER_NODE = 50;

/** Register services svc-0..n-1 (on nodes of 50 services each), beyond those already there. */
async function registerServices(pool: Pool, from: number, to: number): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= to) return;
      const node = `bench-node-${Math.floor(i / SERVICES_PER_NODE)}`;
      const body = JSON.stringify({
        Node: node,
        Address: `10.1.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`,
        Service: { ID: `svc-${i}`, Service: `svc-${i}`, Tags: ['bench', `t${i % 7}`], Port: 8000 + (i % 1000) },
        Checks: [{ CheckID: `svc-${i}-check`, Name: 'check', ServiceID: `svc-${i}`, Status: i % 13 === 0 ? 'critical' : 'passing' }],
      });
      const r = await pool.request({ method: 'PUT', path: '/v1/catalog/register', body });
      await r.body.text();
      if (r.statusCode !== 200) throw new Error(`register failed: ${r.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

function bundleGzipBytes(): number {
  const dir = path.join(ROOT, 'dist', 'ui');
  let total = gzipSync(readFileSync(path.join(dir, 'index.html')), { level: 9 }).length;
  for (const f of readdirSync(path.join(dir, 'assets'))) total += gzipSync(readFileSync(path.join(dir, 'assets', f)), { level: 9 }).length;
  return total;
}

/** CPU seconds (user + system) of a process so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100; // USER_HZ
}

async function main(): Promise<void> {
  const agent = await TestAgent.start({ args: ['-node=bench-ui'] });
  const browser = await launchBrowser();
  const pool = new Pool(agent.url, { connections: 16 });
  try {
    console.log(`bundle (first load, gzip -9): ${(bundleGzipBytes() / 1024).toFixed(1)} KiB`);
    let registered = 0;
    for (const n of SIZES) {
      await registerServices(pool, registered, n);
      registered = n;
      const total = n + 1; // plus the `consul` service
      const times: number[] = [];
      for (let run = 0; run < 3; run++) {
        const ctx = await browser.context();
        const page = await ctx.newPage();
        const started = Date.now();
        await page.goto(`${agent.url}/ui/dc1/services`);
        await page.getByText(`${total} total`).waitFor({ timeout: 30_000 });
        await page.getByRole('link', { name: 'consul', exact: true }).waitFor({ timeout: 30_000 });
        times.push(Date.now() - started);
        const rows = await page.locator('.vrow').count();
        if (run === 0) console.log(`  ${n} services: ${rows} rows in the DOM`);
        await ctx.close();
      }
      times.sort((a, b) => a - b);
      console.log(`time to first render, ${n} services: median ${times[1]} ms (runs ${times.join(', ')} ms)`);
    }

    const pid = agent.proc.pid ?? 0;
    const idleBase0 = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const baseline = (cpuSeconds(pid) - idleBase0) / IDLE_SECONDS;
    // One context per tab: each has its own connection pool, as separate browser windows of
    // different users would (one profile caps a host at 6 open connections).
    const contexts = [];
    for (let i = 0; i < TABS; i++) {
      const ctx = await browser.context();
      const page = await ctx.newPage();
      await page.goto(`${agent.url}/ui/dc1/services`);
      await page.getByRole('link', { name: 'consul', exact: true }).waitFor({ timeout: 30_000 });
      contexts.push(ctx);
    }
    await new Promise((r) => setTimeout(r, 3000)); // let every tab park its blocking query
    const c0 = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const withTabs = (cpuSeconds(pid) - c0) / IDLE_SECONDS;
    console.log(
      `agent CPU over ${IDLE_SECONDS} s with ${registered} services: ${(baseline * 100).toFixed(2)}% of a core with no tab, ${(withTabs * 100).toFixed(2)}% with ${TABS} idle UI tabs`,
    );
    for (const c of contexts) await c.close();
  } finally {
    await pool.close();
    await browser.close();
    await agent.stop();
  }
}

await main();
