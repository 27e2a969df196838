// The CLI entry: consul's command line conventions (mitchellh/cli + Go's flag package) in front of
// oclif. bin/run.js calls main(); the bundle built by scripts/build.mjs exports it with the commands.
//
// Steps: pick the command from the leading words (longest match, like mitchellh/cli's radix tree),
// answer -h/-help/--help and -v/--version ourselves, translate Go-style flags into an oclif argv
// using the generated manifest, then let oclif run the command. Exit codes: command's own, 1 for
// flag errors, 127 for an unknown command, 0 for help.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Config, settings } from '@oclif/core';
import { EXIT_ERROR, EXIT_OK, EXIT_UNKNOWN_COMMAND } from './exit-codes.js';
import { type FlagSpecs, goFlagValueError, translateArgs, wantsHelp } from './go-flags.js';
import { type CommandSpec, type TopicSpec, commandHelp, goFlagDefaults, topicHelp, topLevelHelp } from './help.js';

interface Manifest {
  version: string;
  commands: Record<string, CommandSpec & { flags: FlagSpecs }>;
}

interface PackageJson {
  name: string;
  version: string;
  oclif: { bin?: string; topics?: Record<string, { description?: string }> };
  [key: string]: unknown;
}

/** Command classes by id, when the caller already holds them (the bundle does). */
export type CommandTable = Readonly<Record<string, Command.Class>>;

export interface MainOptions {
  /** Project root: holds package.json and oclif.manifest.json. */
  root: string;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** Saves oclif from importing the explicit-strategy target again to find the classes. */
  commands?: CommandTable;
}

export type Route =
  | { kind: 'command'; id: string; rest: string[] }
  | { kind: 'topic'; topic: string; rest: string[] }
  | { kind: 'unknown'; rest: string[] };

const VERSION_ARGS = new Set(['-v', '-version', '--version']);

/** Longest run of leading words that names a command (or, failing that, a topic). */
export function route(argv: readonly string[], commandIds: ReadonlySet<string>): Route {
  if (argv.length > 0 && VERSION_ARGS.has(argv[0]!)) return { kind: 'command', id: 'version', rest: argv.slice(1) };
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-')) break;
    words.push(a);
  }
  for (let n = words.length; n > 0; n--) {
    const id = words.slice(0, n).join(':');
    if (commandIds.has(id)) return { kind: 'command', id, rest: argv.slice(n) };
  }
  for (let n = words.length; n > 0; n--) {
    const prefix = `${words.slice(0, n).join(':')}:`;
    for (const id of commandIds) {
      if (id.startsWith(prefix)) return { kind: 'topic', topic: prefix.slice(0, -1), rest: argv.slice(n) };
    }
  }
  return { kind: 'unknown', rest: [...argv] };
}

function topicsOf(pjson: PackageJson, commands: readonly CommandSpec[]): TopicSpec[] {
  const topics = new Map<string, TopicSpec>();
  for (const c of commands) {
    const parts = c.id.split(':');
    for (let i = 1; i < parts.length; i++) {
      const name = parts.slice(0, i).join(':');
      topics.set(name, { name });
    }
  }
  for (const [name, t] of Object.entries(pjson.oclif.topics ?? {})) topics.set(name, { name, description: t.description });
  return [...topics.values()];
}

interface OclifErrorLike {
  message?: string;
  oclif?: { exit?: number };
  code?: string;
}

export async function main(argv: readonly string[], opts: MainOptions): Promise<number> {
  const stdout = opts.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = opts.stderr ?? ((t: string) => void process.stderr.write(t));
  const pjson = JSON.parse(readFileSync(join(opts.root, 'package.json'), 'utf8')) as PackageJson;
  const manifest = JSON.parse(readFileSync(join(opts.root, 'oclif.manifest.json'), 'utf8')) as Manifest;
  const bin = pjson.oclif.bin ?? 'consul';
  const commands = Object.values(manifest.commands);
  const r = route(argv, new Set(Object.keys(manifest.commands)));

  if (r.kind === 'unknown') {
    stdout(topLevelHelp(commands, topicsOf(pjson, commands), bin));
    const askedHelp = argv.length > 0 && wantsHelp(argv.slice(0, 1));
    return askedHelp ? EXIT_OK : EXIT_UNKNOWN_COMMAND;
  }
  if (r.kind === 'topic') {
    const topics = topicsOf(pjson, commands);
    const topic = topics.find((t) => t.name === r.topic) ?? { name: r.topic };
    const text = `${topicHelp(topic, commands, bin, topics)}\n`;
    // mitchellh/cli: `consul kv -h` is help (0); `consul kv` or `consul kv bogus` prints the same
    // help (to the help writer, stdout) as RunResultHelp and exits 1.
    stdout(text);
    return wantsHelp(r.rest) ? EXIT_OK : EXIT_ERROR;
  }

  const spec = manifest.commands[r.id]!;
  if (wantsHelp(r.rest)) {
    stdout(`${commandHelp(spec, bin)}\n`);
    return EXIT_OK;
  }
  const t = translateArgs(r.rest, spec.flags);
  if (!t.ok) {
    stderr(`${t.error}\n${goFlagDefaults(spec.flags)}`);
    return EXIT_ERROR;
  }
  try {
    // Never look for TypeScript sources or ts-node (oclif does when NODE_ENV is test/development).
    settings.enableAutoTranspile = false;
    const config = await Config.load({ root: opts.root, pjson: pjson as never, userPlugins: false, devPlugins: false });
    if (opts.commands) {
      const root = config.plugins.get(pjson.name) as unknown as { commandCache?: CommandTable } | undefined;
      if (root && !root.commandCache) root.commandCache = opts.commands;
    }
    process.exitCode = undefined;
    await config.runCommand(r.id, t.argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (e) {
    const err = e as OclifErrorLike;
    if (typeof err.oclif?.exit === 'number' && err.code === 'EEXIT') return err.oclif.exit;
    const msg = err.message ?? String(e);
    const goText = goFlagValueError(msg, t.rawValues);
    if (goText !== undefined) {
      stderr(`${goText}\n${goFlagDefaults(spec.flags)}`);
      return EXIT_ERROR;
    }
    stderr(`${msg.replace(/\n+See more help with --help\s*$/, '')}\n`);
    return typeof err.oclif?.exit === 'number' && err.oclif.exit !== 0 ? err.oclif.exit : EXIT_ERROR;
  }
}
