// Debian's chromium driven by playwright-core (no browser download), for the web UI tests and
// bench/ui.ts. Each launch gets a fresh profile dir; every page records console errors and
// uncaught exceptions; screenshots go to test-artifacts/ui/ (gitignored) as PNG files.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { ROOT } from './test-agent.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'ui');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  readonly browser: Browser;
  /** A fresh isolated context (its own cookies, storage and connection pool). */
  context(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Playwright starts chromium with a fresh --user-data-dir of its own (a new temp profile per
 * launch, removed on close) and refuses one passed in `args`, so none is passed here.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    browser,
    context: () => browser.newContext({ viewport: { width: 1280, height: 800 } }),
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}

/** Errors a page logged: console.error messages and uncaught exceptions. */
export interface PageErrors {
  readonly list: string[];
}

/**
 * Record console errors and uncaught exceptions of `page`. A failed resource load is reported
 * by chromium as a console error; `expected404` names API paths where a 404 is Consul's normal
 * answer (an empty KV folder), which are not errors of the UI.
 */
export function watchErrors(page: Page, expected404: RegExp = /\/v1\/kv\//): PageErrors {
  const list: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() !== 'error') return;
    const url = m.location().url;
    if (/status of 404/.test(m.text()) && expected404.test(url)) return;
    list.push(`${m.text()} (${url})`);
  });
  page.on('pageerror', (e) => list.push(`uncaught: ${e.message}`));
  return { list };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  // The whole page, unless it is very tall (a windowed list of thousands of rows): then the view.
  const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
  await page.screenshot({ path: file, fullPage: height <= 4000 });
  return file;
}

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Run axe-core in the page; returns the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: axeSource });
  const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as { violations: AxeViolation[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
