// Help texts in Consul's layouts, rendered from the oclif manifest (so they work for every
// command, ours and the agent's, without loading command classes).
//  - commandHelp: command/flags/usage.go (`Usage: ...`, then "HTTP API Options" and
//    "Command Options", each flag as `  -name=<value>` with its text wrapped at 72 columns).
//  - goFlagDefaults: Go's FlagSet.PrintDefaults, printed after a flag parse error.
//  - topLevelHelp / topicHelp: mitchellh/cli's command listings.
import type { FlagSpec, FlagSpecs } from './go-flags.js';

export const HTTP_API_OPTIONS = 'HTTP API Options';

/** The part of an oclif manifest command entry used for help. */
export interface CommandSpec {
  id: string;
  summary?: string;
  description?: string;
  hidden?: boolean;
  flags: FlagSpecs;
}

export interface TopicSpec {
  name: string;
  description?: string;
}

const MAX_LINE = 72;

/** Greedy word wrap (kr/text wraps on spaces too; single long words are kept whole). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line === '') line = word;
      else if (line.length + 1 + word.length <= width) line += ` ${word}`;
      else {
        lines.push(line);
        line = word;
      }
    }
    lines.push(line);
  }
  return lines;
}

function flagText(spec: FlagSpec): string {
  return (spec.description ?? spec.summary ?? '').trim();
}

function valueName(spec: FlagSpec): string {
  const hv = Array.isArray(spec.helpValue) ? spec.helpValue[0] : spec.helpValue;
  if (hv) return hv.replace(/^<|>$/g, '');
  return 'value';
}

function visibleFlags(flags: FlagSpecs): FlagSpec[] {
  return Object.values(flags)
    .filter((f) => !f.hidden)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function printFlag(spec: FlagSpec): string {
  const head = spec.type === 'boolean' ? `  -${spec.name}` : `  -${spec.name}=<${valueName(spec)}>`;
  const body = wrapText(flagText(spec), MAX_LINE - 5)
    .map((l) => `     ${l}`)
    .join('\n');
  return `${head}\n${body}\n\n`;
}

function usageHead(cmd: CommandSpec, bin: string): string {
  const text = (cmd.description ?? '').replace(/^\n+|\s+$/g, '');
  if (text.startsWith('Usage:')) return text;
  const name = `${bin} ${cmd.id.split(':').join(' ')}`;
  const body = text || cmd.summary || '';
  const indented = body
    .split('\n')
    .map((l) => (l ? `  ${l}` : l))
    .join('\n');
  return `Usage: ${name} [options]\n\n${indented}`;
}

/** `consul <cmd> -h`: the command's usage text followed by its flags, grouped like Consul. */
export function commandHelp(cmd: CommandSpec, bin = 'consul'): string {
  let out = `${usageHead(cmd, bin)}\n\n`;
  const flags = visibleFlags(cmd.flags);
  const http = flags.filter((f) => f.helpGroup === HTTP_API_OPTIONS);
  const own = flags.filter((f) => f.helpGroup !== HTTP_API_OPTIONS);
  if (http.length > 0) out += `${HTTP_API_OPTIONS}\n\n${http.map(printFlag).join('')}`;
  if (own.length > 0) out += `Command Options\n\n${own.map(printFlag).join('')}`;
  return out.replace(/\n+$/, '');
}

/** Go's FlagSet.PrintDefaults for a FlagSet without a name, as printed after a parse error. */
export function goFlagDefaults(flags: FlagSpecs): string {
  let out = 'Usage:\n';
  for (const spec of visibleFlags(flags)) {
    let line = `  -${spec.name}`;
    if (spec.type !== 'boolean') line += ` ${valueName(spec)}`;
    line += line.length <= 4 ? '\t' : '\n    \t';
    line += flagText(spec).replace(/\n/g, '\n    \t');
    const def = spec.default;
    if (def !== undefined && def !== false && def !== '' && def !== 0 && !Array.isArray(def)) {
      line += typeof def === 'string' ? ` (default ${JSON.stringify(def)})` : ` (default ${String(def)})`;
    }
    out += `${line}\n`;
  }
  return out;
}

function listing(entries: Array<[string, string]>): string {
  const width = Math.max(0, ...entries.map(([name]) => name.length));
  return entries.map(([name, text]) => `    ${name.padEnd(width)}    ${text}`).join('\n');
}

/** mitchellh/cli BasicHelpFunc: `consul` with no or an unknown command. */
export function topLevelHelp(commands: readonly CommandSpec[], topics: readonly TopicSpec[], bin = 'consul'): string {
  const entries = new Map<string, string>();
  for (const t of topics) if (!t.name.includes(':')) entries.set(t.name, t.description ?? '');
  for (const c of commands) if (!c.hidden && !c.id.includes(':')) entries.set(c.id, c.summary ?? '');
  const sorted = [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `Usage: ${bin} [--version] [--help] <command> [<args>]\n\nAvailable commands are:\n${listing(sorted)}\n`;
}

/** A topic such as `consul kv`: its description and subcommands, like Consul's parent commands. */
export function topicHelp(topic: TopicSpec, commands: readonly CommandSpec[], bin = 'consul', topics: readonly TopicSpec[] = []): string {
  const prefix = `${topic.name}:`;
  const subs = commands
    .filter((c) => !c.hidden && c.id.startsWith(prefix) && !c.id.slice(prefix.length).includes(':'))
    .map((c): [string, string] => [c.id.slice(prefix.length), c.summary ?? '']);
  const nested = new Set<string>();
  for (const c of commands) {
    if (c.id.startsWith(prefix) && c.id.slice(prefix.length).includes(':')) nested.add(c.id.slice(prefix.length).split(':')[0]!);
  }
  // A nested topic (`consul tls ca`) is listed with its own synopsis, as mitchellh/cli does.
  for (const n of nested) if (!subs.some(([s]) => s === n)) subs.push([n, topics.find((t) => t.name === `${prefix}${n}`)?.description ?? '']);
  subs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const name = `${bin} ${topic.name.split(':').join(' ')}`;
  const text = wrapText(topic.description ?? '', MAX_LINE - 2)
    .map((l) => `  ${l}`)
    .join('\n');
  return `Usage: ${name} <subcommand> [options] [args]\n\n${text}\n\nSubcommands:\n${listing(subs)}`;
}
