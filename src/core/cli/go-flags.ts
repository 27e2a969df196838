// Go `flag` package semantics on top of oclif.
//
// Consul's CLI parses each command's arguments with Go's `flag.FlagSet` (ContinueOnError):
//   - one or two dashes: `-cas`, `--cas`, `-modify-index=41`, `-modify-index 41`;
//   - boolean flags take `-x` or `-x=<bool>` and never consume the next argument;
//   - parsing stops at the first non-flag argument (a lone `-` is positional) or after `--`;
//     everything that follows is positional, even `-cas` (so `consul kv put key -cas` stores "-cas");
//   - a flag given twice keeps the last value, unless it is a repeatable (slice) flag.
// This module turns such an argument list into an oclif argv (`--name=value ... -- positionals`)
// using the flag definitions of the generated oclif manifest. It is pure: no I/O.

/** The part of an oclif manifest flag entry that the translation needs. */
export interface FlagSpec {
  name: string;
  type: 'boolean' | 'option';
  multiple?: boolean;
  allowNo?: boolean;
  hidden?: boolean;
  default?: unknown;
  helpGroup?: string;
  helpValue?: string | string[];
  description?: string;
  summary?: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export type Translation =
  | { ok: true; argv: string[]; positionals: string[]; rawValues: ReadonlyMap<string, string[]> }
  | { ok: false; error: string };

/** strconv.ParseBool: the spellings Go accepts for a boolean flag value. */
const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export function parseGoBool(value: string): boolean | undefined {
  if (TRUE_WORDS.has(value)) return true;
  if (FALSE_WORDS.has(value)) return false;
  return undefined;
}

/** Is `arg` one of the help switches mitchellh/cli recognises anywhere on the command line? */
export function isHelpArg(arg: string): boolean {
  return arg === '-h' || arg === '-help' || arg === '--help';
}

/** mitchellh/cli looks for a help switch in every argument up to a `--`. */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (isHelpArg(arg)) return true;
  }
  return false;
}

interface ParsedFlag {
  spec: FlagSpec;
  values: string[];
}

/**
 * Parse `args` the way Go's FlagSet.Parse does and produce the equivalent oclif argv.
 * Errors carry Go's exact wording (`flag provided but not defined: -x`, ...).
 */
export function translateArgs(args: readonly string[], specs: FlagSpecs): Translation {
  const parsed = new Map<string, ParsedFlag>();
  let i = 0;
  while (i < args.length) {
    const arg = args[i]!;
    if (arg.length < 2 || arg[0] !== '-') break; // first positional (a lone "-" included)
    let dashes = 1;
    if (arg[1] === '-') {
      dashes = 2;
      if (arg.length === 2) {
        i++; // "--" ends the flags and is consumed
        break;
      }
    }
    let name = arg.slice(dashes);
    if (name.length === 0 || name[0] === '-' || name[0] === '=') {
      return { ok: false, error: `bad flag syntax: ${arg}` };
    }
    i++;
    let value: string | undefined;
    const eq = name.indexOf('=', 1);
    if (eq >= 1) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const spec = Object.prototype.hasOwnProperty.call(specs, name) ? specs[name] : undefined;
    if (spec === undefined) {
      return { ok: false, error: `flag provided but not defined: -${name}` };
    }
    if (spec.type === 'boolean') {
      if (value === undefined) value = 'true';
      else if (parseGoBool(value) === undefined) {
        return { ok: false, error: `invalid boolean value "${value}" for -${name}: parse error` };
      }
    } else if (value === undefined) {
      if (i >= args.length) return { ok: false, error: `flag needs an argument: -${name}` };
      value = args[i]!;
      i++;
    }
    const entry = parsed.get(name) ?? { spec, values: [] };
    entry.values.push(value);
    parsed.set(name, entry);
  }
  const positionals = args.slice(i);
  const argv: string[] = [];
  const rawValues = new Map<string, string[]>();
  for (const [name, { spec, values }] of parsed) {
    rawValues.set(name, values);
    argv.push(...toOclif(name, spec, values));
  }
  argv.push('--', ...positionals);
  return { ok: true, argv, positionals, rawValues };
}

function toOclif(name: string, spec: FlagSpec, values: readonly string[]): string[] {
  if (spec.type === 'boolean') {
    const on = parseGoBool(values[values.length - 1]!) === true;
    if (on) return [`--${name}`];
    return spec.allowNo ? [`--no-${name}`] : [];
  }
  // The `=` form keeps oclif from reading a value that starts with "-" as a flag.
  if (spec.multiple) return values.map((v) => `--${name}=${v}`);
  return [`--${name}=${values[values.length - 1]!}`];
}

/**
 * oclif reports a failed flag value as "Parsing --name \n\t<reason>...". Go reports
 * `invalid value "<v>" for flag -<name>: parse error`. Returns the Go text, or undefined
 * when `message` is not such an oclif error.
 */
export function goFlagValueError(message: string, rawValues: ReadonlyMap<string, string[]>): string | undefined {
  const m = /^Parsing --([A-Za-z0-9_.-]+)\s/.exec(message);
  if (!m) return undefined;
  const name = m[1]!;
  const values = rawValues.get(name) ?? [];
  const received = /received: (.*?)(?:\n|$)/.exec(message)?.[1];
  const value = received !== undefined && values.includes(received) ? received : (values[values.length - 1] ?? '');
  return `invalid value "${value}" for flag -${name}: parse error`;
}
