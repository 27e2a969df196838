import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BaseCommand } from '../core/cli/base-command.js';
import { boolFlag, stringFlag } from '../core/cli/flags.js';
import type { FileConfig } from '../core/config/index.js';

export default class Validate extends BaseCommand {
  static override summary = 'Validate config files/directories';
  static override description = `
Usage: consul validate [options] FILE_OR_DIRECTORY...

  Checks Consul configuration files thoroughly. Each file or directory given
  is parsed exactly as "consul agent" would parse it, and every error is
  reported, which tests a configuration without starting an agent.

  The agent's full validation runs, so pass the complete set of files the
  agent will load: fragments that are only valid together with other files
  will not pass on their own.

  Returns 0 if the configuration is valid, or 1 if there are problems.
`;
  static override flags = {
    'config-format': stringFlag("Config files are in this format irrespective of their extension. Must be 'hcl' or 'json'"),
    quiet: boolFlag('When given, a successful run will produce no output.'),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(Validate.flags);
    if (argv.length < 1) return this.fail('Must specify at least one config file or directory');
    const format = flags['config-format'] ?? '';
    if (format !== '' && format !== 'json' && format !== 'hcl') return this.fail("-config-format must be either 'hcl' or 'json");
    // The agent's config loader (zod schemas, HCL parser) is loaded only by this command.
    const config = await import('../core/config/index.js');
    const spec = { dev: false, paths: [...argv], flags: {} };
    try {
      if (format === '') {
        await config.loadRuntimeConfig(spec);
      } else {
        const layers: FileConfig[] = [];
        for (const p of argv) {
          for (const file of await filesOf(p)) layers.push(await readAs(file, format, config.validateSource));
        }
        config.buildRuntime(config.mergeConfigs(layers), spec);
      }
    } catch (e) {
      return this.fail(`Config validation failed: ${this.message(e)}`);
    }
    if (!flags.quiet) this.out('Configuration is valid!');
    return 0;
  }
}

/** With -config-format every regular file of a directory is read, whatever its extension. */
async function filesOf(p: string): Promise<string[]> {
  let st;
  try {
    st = await fs.stat(p);
  } catch (err) {
    throw new Error(`Error reading ${p}: ${(err as Error).message}`);
  }
  if (!st.isDirectory()) return [p];
  const out: string[] = [];
  for (const name of (await fs.readdir(p)).sort()) {
    const full = path.join(p, name);
    if ((await fs.stat(full)).isFile()) out.push(full);
  }
  return out;
}

async function readAs(file: string, format: 'json' | 'hcl', validate: (name: string, data: unknown) => FileConfig): Promise<FileConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`Error reading ${file}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    if (format === 'hcl') {
      const { parseConsulHcl } = await import('../core/config/hcl.js');
      data = parseConsulHcl(text);
    } else {
      data = JSON.parse(text);
    }
  } catch (err) {
    throw new Error(`failed to parse ${file}: ${(err as Error).message}`);
  }
  return validate(file, data);
}
