import { BaseCommand } from '../core/cli/base-command.js';
import { clientFlags } from '../core/cli/flags.js';

/** Go's %s of a JSON-decoded value (fmt prints maps as map[k:v], slices as [a b]). */
function goString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (typeof v === 'number') return `%!s(float64=${v})`;
  if (typeof v === 'boolean') return `%!s(bool=${v})`;
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  const o = v as Record<string, unknown>;
  return `map[${Object.keys(o)
    .sort()
    .map((k) => `${k}:${goString(o[k])}`)
    .join(' ')}]`;
}

export default class Info extends BaseCommand {
  static override summary = 'Provides debugging information for operators.';
  static override description = `Usage: consul info [options]

  Provides debugging information for operators`;
  static override flags = { ...clientFlags };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(Info.flags);
    const client = this.api(flags);
    if (!client) return 1;
    let self;
    try {
      self = await client.agent.self();
    } catch (e) {
      return this.fail(`Error querying agent: ${this.message(e)}`);
    }
    const stats = self.Stats;
    if (!stats) return this.fail(`Agent response did not contain 'Stats' key: ${goString(self)}`);
    for (const section of Object.keys(stats).sort()) {
      this.out(`${section}:`);
      const sub = stats[section];
      if (!sub || typeof sub !== 'object' || Array.isArray(sub)) return this.fail(`Got invalid subkey in stats: ${goString(sub)}`);
      const values = sub as Record<string, unknown>;
      for (const key of Object.keys(values).sort()) this.out(`\t${key} = ${goString(values[key])}`);
    }
    return 0;
  }
}
