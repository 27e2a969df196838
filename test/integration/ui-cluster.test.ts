// The cluster pages of the web UI against 3 real servers (plus a second datacenter joined over
// the WAN): the overview lists every server with the leader and Raft health from
// /v1/operator/autopilot/health, and the datacenter switcher offers every datacenter that
// /v1/catalog/datacenters lists.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { launchBrowser, screenshot, seriousA11yViolations, watchErrors, type TestBrowser } from '../support/browser.js';
import { ServerSet, setStabilizationTime, waitAllVoters } from '../support/servers.js';
import { TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

let servers: ServerSet | undefined;
let dc2: TestAgent | undefined;
let browser: TestBrowser | undefined;
const work = tmpDir('ui-cluster-');
after(async () => {
  await browser?.close();
  await dc2?.stop();
  await servers?.stopAll(3_000);
  work.remove();
});

async function until(what: string, timeoutMs: number, fn: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > deadline) {
      const tails = [...(servers?.slots.map((s) => s.agent) ?? []), dc2].map((a) => a?.output.split('\n').slice(-15).join('\n'));
      throw new Error(`${what}: not within ${timeoutMs} ms\n${tails.join('\n----\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('cluster pages in chromium', { timeout: 180_000 }, () => {
  test('overview shows 3 servers, the leader and Raft health; the switcher lists both datacenters', async () => {
    servers = await ServerSet.create({ count: 3, raftMultiplier: 1, args: ['-ui'] });
    const set = servers;
    await set.startAll();
    await set.waitCommonLeader(30_000);
    const s1 = set.slot('s1');
    await until('autopilot stabilization time set', 30_000, () => setStabilizationTime(s1, '1s'));
    await waitAllVoters(set, 60_000);
    dc2 = await TestAgent.start({
      dev: false,
      dataDir: path.join(work.path, 'dc2'),
      // Joined to every dc1 server's WAN port: our servers do not flood WAN membership to each
      // other yet (Consul's LAN->WAN flooding), and the datacenter list is answered by the leader.
      args: ['-server', '-bootstrap', '-node=dc2-server', '-datacenter=dc2', ...set.slots.map((s) => `-join-wan=127.0.0.1:${s.ports.serfWan}`)],
    });
    await until('dc2 listed by dc1', 30_000, async () => ((await (await fetch(`${s1.url}/v1/catalog/datacenters`)).json()) as string[]).includes('dc2'));

    browser = await launchBrowser();
    const page = await (await browser.context()).newPage();
    const errors = watchErrors(page).list;
    await page.goto(`${s1.url}/ui/dc1/overview/server-status`);
    const table = page.getByRole('table', { name: 'Servers' });
    await until('three healthy servers shown', 45_000, async () => {
      const text = await table.innerText({ timeout: 1_000 });
      return ['s1', 's2', 's3'].every((n) => text.includes(n)) && (text.match(/\bhealthy\b/g) ?? []).length === 3 && /\bleader\b/.test(text);
    });
    await page.getByText('Healthy', { exact: true }).waitFor({ timeout: 10_000 });
    const leader = await (await fetch(`${s1.url}/v1/status/leader`)).json();
    assert.match(await page.locator('.stats').innerText(), new RegExp(`Failure tolerance\\s+1[\\s\\S]*Servers\\s+3[\\s\\S]*Leader\\s+${String(leader).replace(/\./g, '\\.')}`));
    await screenshot(page, 'cluster-overview');
    assert.deepEqual(await seriousA11yViolations(page), []);

    const switcher = page.getByRole('combobox', { name: 'Datacenter' });
    assert.deepEqual(await switcher.locator('option').allInnerTexts(), ['dc1', 'dc2']);
    await switcher.selectOption('dc2');
    await page.waitForURL(/\/ui\/dc2\/overview\/server-status$/, { timeout: 10_000 });
    assert.deepEqual(errors, []);
  });
});
