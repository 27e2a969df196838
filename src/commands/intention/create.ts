import { readFile } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../core/cli/base-command.js';
import { boolFlag, clientFlags, serverFlags } from '../../core/cli/flags.js';
import type { Intention } from '../../core/client/index.js';

/** api.Intention.String: `SRC => DST (action)`. */
export function intentionLine(i: Intention): string {
  return `${i.SourceName} => ${i.DestinationName} (${i.Action})`;
}

export default class IntentionCreate extends BaseCommand {
  static override summary = 'Create intentions for service connections.';
  static override description = `
Usage: consul intention create [options] SRC DST
Usage: consul intention create [options] -file FILE...

  Create one or more intentions. The data can be specified as a single
  source and destination pair or via a set of files when the "-file" flag
  is specified.

      $ consul intention create web db

  To consume data from a set of files:

      $ consul intention create -file one.json two.json

  When specifying the "-file" flag, "-" may be used once to read from stdin:

      $ echo "{ ... }" | consul intention create -file -

  An "allow" intention is created by default (allowlist). To create a
  "deny" intention, the "-deny" flag should be specified.

  If a conflicting intention is found, creation will fail. To replace any
  conflicting intentions, specify the "-replace" flag. This will replace any
  conflicting intentions with the intention specified in this command.
  Metadata and any other fields of the previous intention will not be
  preserved.
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    allow: boolFlag('Create an intention that allows when matched.'),
    deny: boolFlag('Create an intention that denies when matched.'),
    file: boolFlag('Read intention data from one or more files.'),
    replace: boolFlag('Replace matching intentions.'),
    meta: Flags.string({
      multiple: true,
      helpValue: 'key=value',
      description: 'Metadata to set on the intention, formatted as key=value. This flag may be specified multiple times to set multiple meta fields.',
    }),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(IntentionCreate.flags);
    let allow = flags.allow;
    if (!flags.allow && !flags.deny) allow = true;
    if (flags.allow && flags.deny) return this.fail('Only one of -allow or -deny may be specified.');
    const meta: Record<string, string> = {};
    for (const kv of flags.meta ?? []) {
      const eq = kv.indexOf('=');
      if (eq < 0) return this.badMapFlag('meta', kv);
      meta[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    let ixns: Intention[];
    try {
      ixns = flags.file ? await this.fromFiles(argv) : this.fromArgs(argv, allow ? 'allow' : 'deny', meta);
    } catch (e) {
      return this.fail(`Error: ${this.message(e)}`);
    }
    const client = this.api(flags);
    if (!client) return 1;
    for (const ixn of ixns) {
      if (flags.replace) {
        let old: Intention | null;
        try {
          old = await client.connect.intentionGetExact(ixn.SourceName, ixn.DestinationName);
        } catch (e) {
          return this.fail(`Error looking up intention for replacement with source "${ixn.SourceName}" and destination "${ixn.DestinationName}": ${this.message(e)}`);
        }
        if (old) {
          try {
            if (old.ID) await client.connect.intentionUpdate({ ...ixn, ID: old.ID });
            else {
              await client.connect.intentionDeleteExact(ixn.SourceName, ixn.DestinationName);
              await client.connect.intentionCreate(ixn);
            }
          } catch (e) {
            return this.fail(`Error replacing intention with source "${ixn.SourceName}" and destination "${ixn.DestinationName}": ${this.message(e)}`);
          }
          continue;
        }
      }
      try {
        await client.connect.intentionCreate(ixn);
      } catch (e) {
        return this.fail(`Error creating intention "${intentionLine(ixn)}": ${this.message(e)}`);
      }
      this.out(`Created: ${intentionLine(ixn)}`);
    }
    return 0;
  }

  private fromArgs(args: string[], action: string, meta: Record<string, string>): Intention[] {
    if (args.length !== 2) throw new Error('Must specify two arguments: source and destination');
    const [src, dst] = args as [string, string];
    for (const [what, v] of [['source', src], ['destination', dst]] as const) {
      if (v.split('/').length > 2) throw new Error(`Invalid intention ${what}: target can contain at most one '/'`);
    }
    const name = (v: string): string => (v.includes('/') ? v.slice(v.indexOf('/') + 1) : v);
    return [{ SourceName: name(src), DestinationName: name(dst), SourceType: 'consul', Action: action, Meta: meta }];
  }

  private async fromFiles(paths: string[]): Promise<Intention[]> {
    const out: Intention[] = [];
    for (const p of paths) {
      const text = p === '-' ? await readStdin() : await readFile(p, 'utf8');
      out.push(JSON.parse(text) as Intention);
    }
    return out;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
