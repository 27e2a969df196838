import { readFile } from 'node:fs/promises';
import { BaseCommand } from '../../core/cli/base-command.js';
import { boolFlag, clientFlags, serverFlags, uintFlag } from '../../core/cli/flags.js';
import { patchSliceOfMaps, parseHcl } from '../../core/config/hcl.js';
import { canonicalKeys } from '../../core/connect/config-entry.js';

/** A config entry file: JSON, or HCL where repeated blocks are lists (Consul: config write's decode). */
export function parseEntryText(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return JSON.parse(trimmed) as Record<string, unknown>;
  const raw = patchSliceOfMaps(parseHcl(text), ['sources', 'sources.permissions', 'upstreams', 'routes', 'splits'], []);
  return canonicalKeys(raw) as Record<string, unknown>;
}

export default class ConfigWrite extends BaseCommand {
  static override summary = 'Create or update a centralized config entry';
  static override description = `
Usage: consul config write [options] <configuration>

  Request a config entry to be created or updated. The configuration
  argument is either a file path or '-' to indicate that the config
  should be read from stdin. The data should be either in HCL or
  JSON form.

  Example (from file):

    $ consul config write web.service.hcl

  Example (from stdin):

    $ consul config write -
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    cas: boolFlag('Perform a Check-And-Set operation. Specifying this value also requires the -modify-index flag to be set. The default value is false.'),
    'modify-index': uintFlag('Unsigned integer representing the ModifyIndex of the config entry. This is used in combination with the -cas flag.'),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(ConfigWrite.flags);
    if (argv.length !== 1) return this.fail('Must provide exactly one positional argument to specify the config entry to write');
    const src = argv[0] as string;
    let entry: Record<string, unknown>;
    try {
      const text = src === '-' ? await readStdin() : await readFile(src, 'utf8');
      entry = parseEntryText(text);
    } catch (e) {
      return this.fail(`Failed to decode config entry input: ${this.message(e)}`);
    }
    const kind = String(entry.Kind ?? '');
    const name = String(entry.Name ?? '');
    const client = this.api(flags);
    if (!client) return 1;
    let ok: boolean;
    try {
      ok = await client.connect.configWrite(entry, flags.cas ? flags['modify-index'] : undefined);
    } catch (e) {
      return this.fail(`Error writing config entry ${kind}/${name}: ${this.message(e)}`);
    }
    if (!ok) return this.fail(`Config entry not updated: ${kind}/${name}`);
    this.out(`Config entry written: ${kind}/${name}`);
    return 0;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
