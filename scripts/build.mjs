#!/usr/bin/env node
// Post-tsc build: `npm run build` = `tsc -p . && node scripts/build.mjs`.
//
// 1. dist/cli-entry.mjs  generated: imports every compiled command under dist/src/commands (the folder
//                        tree is the command tree: kv/put.js -> "kv:put") and re-exports main().
// 2. dist/cli.js         esbuild bundle of that entry. package.json's oclif.commands uses the
//                        "explicit" strategy with this file as target and `commands` as identifier,
//                        so oclif loads one file instead of one module graph per command.
//                        Bundling rules (startup speed is a requirement, see bench/cli-startup.mjs):
//                          - static imports are bundled (oclif, our cli/client code, ...);
//                          - a dynamic `import()` of project code outside src/core/{cli,client}
//                            stays external and loads the tsc output at run time (the agent core,
//                            the snapshot archive reader): lazy, and native deps stay untouched;
//                          - packages with native code or only needed on a TTY stay external.
// 3. oclif.manifest.json generated at the project root from the bundle (never edit it by hand):
//                        oclif reads command metadata from it, and bin/run.js reads the flag
//                        definitions from it to translate Go-style flags.
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const commandsDir = join(dist, 'src', 'commands');
const bundledCore = [join(dist, 'src', 'core', 'cli') + sep, join(dist, 'src', 'core', 'client') + sep];

/** Packages never bundled: native addons, and the TTY-only renderer (loaded lazily if ever). */
const EXTERNAL_PACKAGES = ['typescript', 'ts-node', 'classic-level', 'level', 'abstract-level', 'ink', 'react', 'react-reconciler', 'yoga-layout'];

async function listCommandFiles(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listCommandFiles(full)));
    else if (entry.name.endsWith('.js') && !entry.name.endsWith('.test.js')) out.push(full);
  }
  return out.sort();
}

function commandId(file) {
  const rel = relative(commandsDir, file).replace(/\.js$/, '').split(sep);
  if (rel[rel.length - 1] === 'index') rel.pop();
  return rel.join(':');
}

async function writeEntry() {
  const files = await listCommandFiles(commandsDir);
  const lines = ["export { main } from './src/core/cli/main.js';"];
  const entries = [];
  files.forEach((file, i) => {
    const spec = `./${relative(dist, file).split(sep).join('/')}`;
    lines.push(`import C${i} from ${JSON.stringify(spec)};`);
    entries.push(`  ${JSON.stringify(commandId(file))}: C${i},`);
  });
  lines.push(`export const commands = {\n${entries.join('\n')}\n};`, '');
  const entry = join(dist, 'cli-entry.mjs');
  await writeFile(entry, lines.join('\n'));
  return { entry, count: files.length };
}

/**
 * oclif dependencies that the CLI never reaches at run time, replaced by stubs that throw if used.
 * They cost ~15 ms of start-up when bundled for real (module bodies run at load time):
 *   semver        only oclif's "node version satisfies engines" warning (wrapped in try/catch);
 *   tinyglobby    command discovery by file pattern (we use the "explicit" strategy);
 *   minimatch     matching plugin name patterns (the CLI has no plugins);
 *   ejs           templates in oclif's own help and S3 URLs (help is ours: src/core/cli/help.ts);
 *   cli-spinners  oclif's ux spinner (never started).
 * wsl-utils is replaced by a module saying "not WSL": oclif only uses it to name the platform
 * (config.platform, for its updater); loading it spawns nothing but reads /proc and loads
 * child_process.
 */
const STUBBED_PACKAGES = ['semver', 'tinyglobby', 'minimatch', 'ejs', 'cli-spinners', 'wsl-utils'];

const stubUnused = {
  name: 'stub-unused',
  setup(b) {
    const filter = new RegExp(`^(${STUBBED_PACKAGES.join('|')})$`);
    b.onResolve({ filter }, (args) => {
      if (!args.importer.includes(`${sep}node_modules${sep}@oclif${sep}core${sep}`)) return undefined;
      return { path: args.path, namespace: 'stub' };
    });
    b.onLoad({ filter: /^wsl-utils$/, namespace: 'stub' }, () => ({
      loader: 'js',
      contents: "export const isWsl = false; export const powerShellPath = async () => 'powershell.exe';",
    }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, (args) => ({
      loader: 'js',
      contents: `const fail = () => { throw new Error(${JSON.stringify(`${args.path} is not bundled in the consul CLI`)}); };
const stub = new Proxy(fail, { get: (_t, k) => (k === '__esModule' ? undefined : k === 'default' ? stub : fail) });
module.exports = stub;`,
    }));
  },
};

/**
 * Modules that oclif requires at load time but uses only on paths the CLI rarely or never takes:
 * Node built-ins (reading stdin for `-` arguments, performance markers, the Windows shell probe)
 * and oclif's own help system (our help is src/core/cli/help.ts). Each is replaced by a proxy
 * that loads the real module on first property access (~10 ms saved).
 */
const LAZY_MODULES = [
  { importer: '', spec: 'node:child_process' },
  { importer: '', spec: 'node:readline' },
  { importer: '', spec: 'node:perf_hooks' },
  { importer: `${sep}lib${sep}index.js`, spec: './help' },
  { importer: `${sep}lib${sep}errors${sep}handle.js`, spec: '../help/index' },
];

const lazyModules = {
  name: 'lazy-modules',
  setup(b) {
    const oclif = `${sep}node_modules${sep}@oclif${sep}core${sep}`;
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.namespace === 'lazy' || !args.importer.includes(oclif)) return undefined;
      const hit = LAZY_MODULES.find((m) => m.spec === args.path && args.importer.endsWith(m.importer));
      if (!hit) return undefined;
      return { path: `${args.importer}?lazy=${args.path}`, namespace: 'lazy', pluginData: { spec: args.path, dir: dirname(args.importer) } };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      loader: 'js',
      resolveDir: args.pluginData.dir,
      contents: `let real;
const load = () => (real ??= require(${JSON.stringify(args.pluginData.spec)}));
module.exports = new Proxy({}, {
  get: (_t, k) => (k === '__esModule' ? undefined : load()[k]),
  has: (_t, k) => k in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_t, k) => {
    const d = Reflect.getOwnPropertyDescriptor(load(), k);
    return d && { ...d, configurable: true };
  },
});`,
    }));
  },
};

/**
 * undici's HTTP/2 client loads node:http2 (and with it tls and crypto) when the Client module is
 * loaded, ~15 ms. The CLI speaks HTTP/1.1 to the agent (allowH2 stays false), so that module is
 * replaced by one that refuses h2.
 */
const noHttp2 = {
  name: 'no-http2',
  setup(b) {
    b.onResolve({ filter: /^\.\/client-h2\.js$/ }, (args) => {
      if (!args.importer.endsWith(`${sep}undici${sep}lib${sep}dispatcher${sep}client.js`)) return undefined;
      return { path: 'client-h2', namespace: 'no-http2' };
    });
    b.onLoad({ filter: /.*/, namespace: 'no-http2' }, () => ({
      loader: 'js',
      contents: "module.exports = function connectH2 () { throw new Error('HTTP/2 is not supported by the consul CLI client'); };",
    }));
  },
};

const lazyProjectCode = {
  name: 'lazy-project-code',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const target = resolve(args.resolveDir, args.path);
      if (!target.startsWith(join(dist, 'src') + sep)) return undefined;
      if (bundledCore.some((d) => target.startsWith(d))) return undefined;
      return { path: `./${relative(dist, target).split(sep).join('/')}`, external: true };
    });
  },
};

/**
 * V8 keeps a script's source in memory for its whole life (lazy compilation, Function#toString),
 * as a one-byte string when every character is Latin-1 and as a two-byte string otherwise. esbuild
 * leaves non-ASCII characters inside regular expression literals as they are, and one Greek mu
 * (U+03BC, in a duration-parsing regex) made the 1.2 MB bundle a 2.4 MB string in every process,
 * the agent's included. A \\uXXXX escape means the same character in string, template and regex
 * literals (with or without the u flag: a surrogate pair stays a pair) and in comments, so every
 * character above U+00FF is written as one.
 */
async function latin1Source(file) {
  const text = await readFile(file, 'utf8');
  const escaped = text.replace(/[^\u0000-\u00ff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (escaped !== text) await writeFile(file, escaped);
}

async function bundle(entry) {
  const outfile = join(dist, 'cli.js');
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    external: EXTERNAL_PACKAGES.flatMap((p) => [p, `${p}/*`]),
    plugins: [lazyProjectCode, stubUnused, lazyModules, noHttp2],
    metafile: true,
    // oclif and undici are CommonJS: give their require() calls a real require in the ESM bundle.
    banner: {
      js: "import { createRequire as __consulCreateRequire } from 'node:module'; const require = __consulCreateRequire(import.meta.url);",
    },
  });
  // What went into the bundle, for size work: `node -e` over dist/cli.meta.json.
  await writeFile(join(dist, 'cli.meta.json'), JSON.stringify(result.metafile));
  await latin1Source(outfile);
  return outfile;
}

/**
 * dist/consul-template.js: the second program (bin/consul-template), bundled on its own from the
 * tsc output of src/core/template/cli.ts so that it starts without walking a module graph.
 */
async function bundleConsulTemplate() {
  const outfile = join(dist, 'consul-template.js');
  await build({
    entryPoints: [join(dist, 'src', 'core', 'template', 'cli.js')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    external: EXTERNAL_PACKAGES.flatMap((p) => [p, `${p}/*`]),
    plugins: [noHttp2],
    banner: {
      js: "import { createRequire as __consulCreateRequire } from 'node:module'; const require = __consulCreateRequire(import.meta.url);",
    },
  });
  await latin1Source(outfile);
  return outfile;
}

async function writeManifest() {
  const manifestPath = join(root, 'oclif.manifest.json');
  await rm(manifestPath, { force: true });
  const { Plugin } = await import('@oclif/core');
  const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, isRoot: true });
  await plugin.load();
  const manifest = plugin.manifest;
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return Object.keys(manifest.commands).length;
}

async function main() {
  await mkdir(dist, { recursive: true });
  const { entry, count } = await writeEntry();
  const outfile = await bundle(entry);
  // Import once to fail the build early if the bundle cannot load.
  await import(pathToFileURL(outfile).href);
  const ctOutfile = await bundleConsulTemplate();
  await import(pathToFileURL(ctOutfile).href);
  const manifestCount = await writeManifest();
  if (manifestCount !== count) throw new Error(`manifest has ${manifestCount} commands, expected ${count}`);
  console.log(`build: ${relative(root, outfile)} (${count} commands), ${relative(root, ctOutfile)}, oclif.manifest.json`);
}

main().catch((err) => {
  console.error(`build failed: ${err instanceof Error ? err.stack : err}`);
  process.exit(1);
});
