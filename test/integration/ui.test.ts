// The web UI in Debian's chromium against a real dev agent: live service health, KV editing read
// back with `consul kv get`, a ?cas conflict between two tabs, every page without console errors
// or serious axe-core violations (screenshots in test-artifacts/ui/), deep links on a fresh
// load, and the "agent unreachable" banner once the agent stops.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser, screenshot, seriousA11yViolations, watchErrors, type TestBrowser } from '../support/browser.js';
import { TestAgent, runCli } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const NODE = 'ui-node';
let agent: TestAgent;
let browser: TestBrowser;
let work: ReturnType<typeof tmpDir>;

before(async () => {
  work = tmpDir('ui-test-');
  agent = await TestAgent.start({ args: [`-node=${NODE}`] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await agent?.stop();
  work?.remove();
});

async function consul(...args: string[]): Promise<{ out: string; code: number | null }> {
  const r = await runCli(args, { CONSUL_HTTP_ADDR: agent.addr });
  return { out: (r.stdout + r.stderr).replace(/\n$/, ''), code: r.code };
}

async function put(p: string): Promise<void> {
  const res = await fetch(`${agent.url}${p}`, { method: 'PUT' });
  assert.equal(res.status, 200, await res.text());
}

async function open(p: string): Promise<{ page: Page; errors: string[] }> {
  const ctx = await browser.context();
  const page = await ctx.newPage();
  const errors = watchErrors(page).list;
  await page.goto(`${agent.url}${p}`);
  return { page, errors };
}

describe('web UI in chromium', { timeout: 240_000 }, () => {
  test('deep link on a fresh load renders the page it names', async () => {
    const { page, errors } = await open('/ui/dc1/kv/app/');
    await page.getByRole('heading', { level: 1, name: 'app/' }).waitFor({ timeout: 10_000 });
    assert.match(await page.getByRole('navigation', { name: 'Breadcrumb' }).innerText(), /Key\/Value \/ app/);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('/ui/ opens the services list of the local datacenter', async () => {
    const { page } = await open('/');
    await page.getByRole('heading', { level: 1, name: /Services/ }).waitFor({ timeout: 10_000 });
    assert.equal(new URL(page.url()).pathname, '/ui/dc1/services');
    await page.context().close();
  });

  test('a CLI-registered service is listed, and its check going critical shows up live within 2 s', async () => {
    const def = path.join(work.path, 'web.json');
    writeFileSync(def, JSON.stringify({ service: { name: 'web', tags: ['rails', 'v2'], port: 80, check: { id: 'web-ttl', name: 'web ttl', ttl: '10m' } } }));
    const reg = await consul('services', 'register', def);
    assert.equal(reg.code, 0, reg.out);
    await put('/v1/agent/check/pass/web-ttl?note=all+good');

    const { page, errors } = await open('/ui/dc1/services');
    const row = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'web', exact: true }) });
    await row.getByText('2 passing').waitFor({ timeout: 10_000 });
    assert.match(await row.innerText(), /rails/);

    const service = await browser.context().then((c) => c.newPage());
    const serviceErrors = watchErrors(service).list;
    await service.goto(`${agent.url}/ui/dc1/services/web/instances`);
    await service.getByText('all good').waitFor({ timeout: 10_000 });

    const started = Date.now();
    await put('/v1/agent/check/fail/web-ttl?note=disk+full');
    await row.getByText('1 critical').waitFor({ timeout: 2_000 });
    const listMs = Date.now() - started;
    await service.getByText('disk full').waitFor({ timeout: Math.max(1, 2_000 - (Date.now() - started)) });
    assert.ok(Date.now() - started <= 2_000, `live update took ${Date.now() - started} ms`);
    // The health timeline records which check of which instance changed, and when.
    const timeline = service.getByRole('list').filter({ hasText: 'check "web ttl" of web on ui-node' });
    await timeline.waitFor({ timeout: 2_000 });
    assert.match(await timeline.innerText(), /passing\s*→\s*critical/);
    await screenshot(page, 'services-live');
    await screenshot(service, 'service-timeline');
    assert.deepEqual([...errors, ...serviceErrors], [], `listMs=${listMs}`);
    await page.context().close();
    await service.context().close();
  });

  test('KV create, edit and delete in the UI read back with consul kv get', async () => {
    const { page, errors } = await open('/ui/dc1/kv/');
    await page.getByRole('link', { name: 'Create' }).click();
    await page.getByLabel('Key or folder name').fill('app/config');
    await page.getByLabel('Value').fill('{"port": 8080}');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: /app\// }).waitFor({ timeout: 10_000 });
    assert.deepEqual(await consul('kv', 'get', 'app/config'), { out: '{"port": 8080}', code: 0 });

    await page.goto(`${agent.url}/ui/dc1/kv/app/config/edit`);
    await page.getByRole('radio', { name: 'JSON' }).check();
    assert.equal(await page.getByLabel('Value').inputValue(), '{\n  "port": 8080\n}');
    await page.getByRole('radio', { name: 'Base64' }).check();
    assert.equal(await page.getByLabel('Value').inputValue(), Buffer.from('{\n  "port": 8080\n}').toString('base64'));
    await page.getByRole('radio', { name: 'Text' }).check();
    await page.getByLabel('Value').fill('port=9090');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved at index' }).waitFor({ timeout: 10_000 });
    assert.deepEqual(await consul('kv', 'get', 'app/config'), { out: 'port=9090', code: 0 });

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.waitForURL(/\/ui\/dc1\/kv\/app\/$/, { timeout: 10_000 });
    assert.equal((await consul('kv', 'get', 'app/config')).code, 1);

    // A folder is deleted recursively, after a confirmation.
    assert.equal((await consul('kv', 'put', 'tree/a', '1')).code, 0);
    assert.equal((await consul('kv', 'put', 'tree/sub/b', '2')).code, 0);
    await page.goto(`${agent.url}/ui/dc1/kv/`);
    await page.getByRole('button', { name: 'Delete tree/' }).click();
    await page.getByRole('group', { name: 'Confirm deleting tree/' }).getByRole('button', { name: 'Confirm delete' }).click();
    await page.getByRole('link', { name: /tree\// }).waitFor({ state: 'detached', timeout: 10_000 });
    assert.deepEqual(await consul('kv', 'get', '-recurse', 'tree/'), { out: '', code: 0 });
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('two tabs editing one key: the second save reports a conflict instead of overwriting', async () => {
    assert.equal((await consul('kv', 'put', 'shared', 'one')).code, 0);
    const ctx = await browser.context();
    const [a, b] = [await ctx.newPage(), await ctx.newPage()];
    const errors = [...watchErrors(a).list, ...watchErrors(b).list];
    for (const p of [a, b]) {
      await p.goto(`${agent.url}/ui/dc1/kv/shared/edit`);
      await p.getByLabel('Value').waitFor({ timeout: 10_000 });
      assert.equal(await p.getByLabel('Value').inputValue(), 'one');
    }
    await a.getByLabel('Value').fill('from tab A');
    await a.getByRole('button', { name: 'Save' }).click();
    await a.getByRole('status').filter({ hasText: 'Saved at index' }).waitFor({ timeout: 10_000 });

    await b.getByLabel('Value').fill('from tab B');
    await b.getByRole('button', { name: 'Save' }).click();
    const conflict = b.getByRole('alert').filter({ hasText: 'Conflict' });
    await conflict.waitFor({ timeout: 10_000 });
    assert.match(await conflict.innerText(), /someone else changed shared/);
    assert.deepEqual(await consul('kv', 'get', 'shared'), { out: 'from tab A', code: 0 });
    await screenshot(b, 'kv-conflict');

    // The user may then choose to overwrite deliberately.
    await conflict.getByRole('button', { name: 'Overwrite' }).click();
    await b.getByRole('status').filter({ hasText: 'Saved at index' }).waitFor({ timeout: 10_000 });
    assert.deepEqual(await consul('kv', 'get', 'shared'), { out: 'from tab B', code: 0 });
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  test('a node\'s lock sessions are listed live and can be invalidated', async () => {
    const created = await fetch(`${agent.url}/v1/session/create`, { method: 'PUT', body: JSON.stringify({ Node: NODE, Name: 'deploy-lock' }) });
    assert.equal(created.status, 200);
    const { ID } = (await created.json()) as { ID: string };
    const { page, errors } = await open(`/ui/dc1/nodes/${NODE}/lock-sessions`);
    await page.getByRole('cell', { name: ID }).waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Invalidate session deploy-lock' }).click();
    await page.getByText('This node has no lock sessions.').waitFor({ timeout: 10_000 });
    const info = await fetch(`${agent.url}/v1/session/info/${ID}`);
    assert.deepEqual(await info.json(), []);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('every page renders without console errors or serious accessibility violations', async () => {
    assert.equal((await consul('kv', 'put', 'app/name', 'demo')).code, 0);
    const pages: [string, RegExp][] = [
      ['/ui/dc1/services', /Services/],
      ['/ui/dc1/services/web/instances', /web/],
      ['/ui/dc1/nodes', /Nodes/],
      [`/ui/dc1/nodes/${NODE}/health-checks`, new RegExp(NODE)],
      [`/ui/dc1/nodes/${NODE}/service-instances`, new RegExp(NODE)],
      [`/ui/dc1/nodes/${NODE}/metadata`, new RegExp(NODE)],
      [`/ui/dc1/nodes/${NODE}/lock-sessions`, new RegExp(NODE)],
      ['/ui/dc1/kv/', /Key\/Value/],
      ['/ui/dc1/kv/app/', /app\//],
      ['/ui/dc1/kv/app/name/edit', /app\/name/],
      ['/ui/dc1/kv/app/create', /Create a key/],
      ['/ui/dc1/acls/tokens', /Access Controls/],
      ['/ui/dc1/intentions', /Intentions/],
      ['/ui/dc1/overview/server-status', /Cluster overview/],
    ];
    mkdirSync(path.join(work.path, 'x'), { recursive: true });
    const ctx = await browser.context();
    for (const [p, heading] of pages) {
      const page = await ctx.newPage();
      const errors = watchErrors(page).list;
      await page.goto(`${agent.url}${p}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor({ timeout: 10_000 });
      await page.waitForFunction(`![...document.querySelectorAll('[role=status]')].some((e) => e.textContent.startsWith('Loading'))`, undefined, { timeout: 10_000 });
      await screenshot(page, p.replace(/^\/ui\/dc1\//, '').replace(/\W+/g, '-').replace(/-$/, '') || 'root');
      const violations = await seriousA11yViolations(page);
      assert.deepEqual(violations.map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`), [], p);
      assert.deepEqual(errors, [], p);
      await page.close();
    }
    await ctx.close();
  });

  test('2,000 services: a windowed list, search by name or tag, health filter, keyboard only', async () => {
    const jobs: Promise<void>[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < 2000; i = next++) {
        const body = JSON.stringify({
          Node: `many-${Math.floor(i / 100)}`,
          Address: '10.9.0.1',
          Service: { ID: `svc-${i}`, Service: `svc-${i}`, Tags: [i % 2 ? 'odd' : 'even'], Port: 1 },
          Checks: [{ CheckID: `c-${i}`, Name: 'c', ServiceID: `svc-${i}`, Status: i % 100 === 7 ? 'critical' : 'passing' }],
        });
        const res = await fetch(`${agent.url}/v1/catalog/register`, { method: 'PUT', body });
        assert.equal(res.status, 200, await res.text());
      }
    };
    for (let w = 0; w < 8; w++) jobs.push(worker());
    await Promise.all(jobs);

    const { page, errors } = await open('/ui/dc1/services');
    await page.getByText('2002 total').waitFor({ timeout: 20_000 });
    const rows = await page.locator('.vrow').count();
    assert.ok(rows > 5 && rows < 60, `${rows} rows in the DOM for 2,002 services`);

    // Tab walks the rows past the rendered window: each focused row scrolls into view and the
    // rows after it are rendered before the next Tab.
    const names = ((await (await fetch(`${agent.url}/v1/internal/ui/services`)).json()) as { Name: string }[]).map((x) => x.Name);
    await page.getByRole('link', { name: 'consul', exact: true }).focus();
    for (let i = 0; i < 40; i++) await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.textContent'), names[40]);
    await page.evaluate('window.scrollTo(0, 0)');

    // Keyboard only: "/" focuses the search box, then Tab and Enter open a result.
    await page.keyboard.press('/');
    await page.keyboard.type('svc-1999');
    await page.getByText('1 shown').waitFor({ timeout: 5_000 });
    await page.getByLabel('Search by name or tag').fill('');
    await page.getByRole('combobox', { name: 'Health' }).selectOption('critical');
    await page.getByText('21 shown').waitFor({ timeout: 5_000 }); // 20 svc-*07 plus web (still critical)
    await page.getByRole('combobox', { name: 'Health' }).selectOption('');
    await page.getByLabel('Search by name or tag').fill('odd');
    await page.getByText('1000 shown').waitFor({ timeout: 5_000 });
    await page.getByLabel('Search by name or tag').fill('svc-1999');
    await page.getByLabel('Search by name or tag').press('Tab'); // -> health filter
    await page.keyboard.press('Tab'); // -> the only result
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/ui\/dc1\/services\/svc-1999\/instances$/, { timeout: 10_000 });
    await page.getByRole('heading', { level: 1, name: 'svc-1999' }).waitFor({ timeout: 10_000 });
    // Focus moved to the new page, not left on a link that no longer exists. The page moves it in
    // an effect, which Preact runs after the frame that shows the heading: wait for it.
    await page
      .waitForFunction(`document.activeElement && document.activeElement.id === 'main'`, undefined, { timeout: 5_000 })
      .catch(async (err: unknown) => {
        const at = await page.evaluate('document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : null');
        throw new Error(`focus did not move to #main: it is on ${String(at)} (${(err as Error).message})`);
      });

    // Scrolling far down renders the rows there (and only around there).
    await page.goto(`${agent.url}/ui/dc1/services`);
    await page.getByText('2002 total').waitFor({ timeout: 20_000 });
    await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
    await page.getByRole('link', { name: 'web', exact: true }).waitFor({ timeout: 5_000 });
    assert.ok((await page.locator('.vrow').count()) < 60);
    await screenshot(page, 'services-2000-scrolled');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('a stopped agent shows "agent unreachable, retrying" instead of a blank page, until it is back', async () => {
    const { page } = await open('/ui/dc1/services');
    await page.getByRole('link', { name: 'consul', exact: true }).waitFor({ timeout: 10_000 });
    await agent.stop();
    const banner = page.getByRole('alert').filter({ hasText: 'Agent unreachable, retrying' });
    await banner.waitFor({ timeout: 15_000 });
    // The last data stays on screen under the banner.
    assert.ok(await page.getByRole('link', { name: 'consul', exact: true }).isVisible());
    await screenshot(page, 'agent-unreachable');
    // It keeps retrying: an agent back on the same address clears the banner and the list
    // follows the new agent's catalog without a reload.
    agent = await TestAgent.start({ ports: agent.ports, args: ['-node=ui-node-2'] });
    await banner.waitFor({ state: 'detached', timeout: 20_000 });
    await page.getByText('1 total').waitFor({ timeout: 20_000 });
    await page.context().close();
  });
});
