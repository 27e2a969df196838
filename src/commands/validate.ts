import { BaseCommand } from '../core/cli/base-command.js';
import { boolFlag, stringFlag } from '../core/cli/flags.js';

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
    let warnings: string[];
    try {
      const rt = await config.loadRuntimeConfig({ dev: false, paths: [...argv], flags: {}, ...(format === '' ? {} : { format }) });
      warnings = rt.warnings;
    } catch (e) {
      return this.fail(`Config validation failed: ${this.message(e)}`);
    }
    if (!flags.quiet) {
      // Consul: validate prints the loader's warnings (UI.Warn, on stderr) before its verdict.
      for (const w of warnings) this.err(w);
      this.out('Configuration is valid!');
    }
    return 0;
  }
}
