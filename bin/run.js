#!/usr/bin/env node
// consul: Go-style flags in front of oclif (see src/core/cli/main.ts and go-flags.ts).
// Runs the bundle built by scripts/build.mjs (`npm run build`).
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { main, commands } = await import('../dist/cli.js');
const code = await main(process.argv.slice(2), { root, commands });

// Like Consul's main (os.Exit after the command returns): exit once output is flushed, without
// waiting for idle keep-alive sockets or library timers. Long-running commands (agent, watch)
// only return from main() when they are done.
const drained = (stream) =>
  stream.writableLength > 0 ? new Promise((resolve) => stream.once('drain', resolve)) : undefined;
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);
