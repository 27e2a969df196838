// What the `consul acl ...` commands share beyond BaseCommand: the -format and -meta flags, the
// formatter check, and Go's usage error for a flag value the command parses itself (-expires-ttl).
import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { EXIT_ERROR } from '../exit-codes.js';
import type { FlagSpecs } from '../go-flags.js';
import { goFlagDefaults } from '../help.js';
import { FORMAT_USAGE, type Format, checkFormat } from './format.js';

export const RULES_USAGE =
  "The policy rules. May be prefixed with '@' to indicate that the value is a file path to load the rules from. '-' may also be given to indicate that the rules are available on stdin";

export const formatFlag = Flags.string({ description: FORMAT_USAGE, default: 'pretty', helpValue: 'string' });

export function metaFlag(what: 'token' | 'policy' | 'role', raft = 'raft') {
  return Flags.boolean({
    default: false,
    description: `Indicates that ${what} metadata such as the content hash and ${raft} indices should be shown for each entry`,
  });
}

/** A repeatable string flag (Go's AppendSliceValue). */
export function sliceFlag(description: string) {
  return Flags.string({ description, multiple: true, helpValue: 'value' });
}

export abstract class AclCommand extends BaseCommand {
  /** The formatter for -format, or undefined after printing `Unknown format: x`. */
  protected format(value: string): Format | undefined {
    const f = checkFormat(value);
    if (typeof f === 'string') return f;
    this.err(f.error);
    return undefined;
  }

  /** Print formatter output as UI.Info does (one trailing newline added), unless it is empty. */
  protected info(text: string): void {
    if (text !== '') this.out(text);
  }

  /** Go's `invalid value "<v>" for flag -<name>: parse error` followed by the flag list. */
  protected badFlagValue(name: string, value: string): number {
    const specs = (this.config.findCommand(this.id ?? '')?.flags ?? {}) as unknown as FlagSpecs;
    this.err(`invalid value "${value}" for flag -${name}: parse error`);
    this.err(goFlagDefaults(specs).replace(/\n$/, ''));
    return EXIT_ERROR;
  }
}
