#!/usr/bin/env node
// Build the web UI (src/ui, Preact + TypeScript) into dist/ui, which the agent serves at /ui/
// (src/core/ui/serve.ts). Run by `npm run build` after tsc, so `npm ci && npm start` stays the
// only set-up.
//   dist/ui/index.html           template: the agent fills in the content path and its settings
//   dist/ui/assets/app-HASH.js   one minified ES module (content-hashed name: served immutable)
//   dist/ui/assets/app-HASH.css
// Prints the first-load size gzipped; the target is <= 250 KiB.
import { readFile, rm, mkdir, writeFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src', 'ui');
const out = join(root, 'dist', 'ui');
const GZIP_BUDGET_BYTES = 250 * 1024;

await rm(out, { recursive: true, force: true });
await mkdir(join(out, 'assets'), { recursive: true });
const result = await build({
  entryPoints: { app: join(src, 'main.tsx') },
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: true,
  sourcemap: false,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  outdir: join(out, 'assets'),
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const files = Object.keys(result.metafile.outputs).map((f) => resolve(root, f));
const js = files.find((f) => f.endsWith('.js'));
const css = files.find((f) => f.endsWith('.css'));
if (!js || !css) throw new Error('build-ui: esbuild produced no JS or CSS');
const name = (f) => f.slice(join(out, 'assets').length + 1);
const html = (await readFile(join(src, 'index.html'), 'utf8')).replace('__JS__', name(js)).replace('__CSS__', name(css));
await writeFile(join(out, 'index.html'), html);

let gz = 0;
for (const f of await readdir(join(out, 'assets'))) gz += gzipSync(await readFile(join(out, 'assets', f)), { level: 9 }).length;
gz += gzipSync(html).length;
if (gz > GZIP_BUDGET_BYTES) throw new Error(`build-ui: first load is ${gz} bytes gzipped, over the ${GZIP_BUDGET_BYTES} budget`);
if (process.env.UI_BUILD_VERBOSE) console.log(`build-ui: first load ${(gz / 1024).toFixed(1)} KiB gzipped`);
