// Go `flag` package semantics for consul-template's command line: `-flag` or `--flag`,
// `-flag=value` or `-flag value` (booleans only take `=value`), parsing stops at the first
// non-flag argument or `--`. Error texts are Go's.
export class FlagError extends Error {}

export interface FlagSpec {
  bool?: boolean;
  /** Called for each occurrence (repeatable flags accumulate). */
  set: (value: string) => void;
}

export function parseGoFlags(args: readonly string[], specs: Record<string, FlagSpec>): string[] {
  let i = 0;
  while (i < args.length) {
    const arg = args[i]!;
    if (arg.length < 2 || arg[0] !== '-') break;
    let name = arg.slice(1);
    if (name.startsWith('-')) {
      name = name.slice(1);
      if (name === '') {
        i++;
        break; // "--" ends the flags
      }
    }
    if (name === '' || name[0] === '-' || name[0] === '=') throw new FlagError(`bad flag syntax: ${arg}`);
    i++;
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const spec = specs[name];
    if (!spec) {
      if (name === 'help' || name === 'h') throw new FlagError('help requested');
      throw new FlagError(`flag provided but not defined: -${name}`);
    }
    if (spec.bool) {
      const v = value ?? 'true';
      if (!['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) {
        throw new FlagError(`invalid boolean value ${JSON.stringify(v)} for -${name}: parse error`);
      }
      spec.set(['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v) ? 'true' : 'false');
      continue;
    }
    if (value === undefined) {
      if (i >= args.length) throw new FlagError(`flag needs an argument: -${name}`);
      value = args[i]!;
      i++;
    }
    try {
      spec.set(value);
    } catch (err) {
      throw new FlagError(`invalid value ${JSON.stringify(value)} for flag -${name}: ${(err as Error).message}`);
    }
  }
  return args.slice(i);
}
