// A command's own help text (for commands that print their usage after an argument error, like
// `consul join` with no address), rendered from oclif's loaded manifest entry.
import type { Config } from '@oclif/core';
import type { FlagSpecs } from './go-flags.js';
import { commandHelp } from './help.js';

export function commandHelpText(config: Config, id: string): string {
  const cmd = config.findCommand(id);
  if (!cmd) return '';
  return commandHelp(
    { id, summary: cmd.summary, description: cmd.description, flags: cmd.flags as unknown as FlagSpecs },
    config.bin,
  );
}
