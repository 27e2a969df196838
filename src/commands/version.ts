import { Flags } from '@oclif/core';
import { BaseCommand } from '../core/cli/base-command.js';
import { goMarshalIndent } from '../core/cli/go-json.js';
import { BUILD_DATE, CONSUL_API_VERSION, CONSUL_TS_VERSION, PROTOCOL_VERSION, REVISION } from '../core/version.js';

export default class Version extends BaseCommand {
  static override summary = 'Prints the Consul version';
  static override description = `
Usage: consul version [options]
`;
  static override flags = {
    format: Flags.string({ default: 'pretty', helpValue: 'string', description: 'Output format {pretty|json}' }),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(Version.flags);
    const rpc = { Default: PROTOCOL_VERSION.default, Min: PROTOCOL_VERSION.min, Max: PROTOCOL_VERSION.max };
    if (flags.format === 'json') {
      const info = { Version: CONSUL_API_VERSION, Revision: REVISION, Prerelease: '', BuildDate: BUILD_DATE, RPC: rpc };
      this.out(goMarshalIndent(info, '   '));
      return 0;
    }
    if (flags.format !== 'pretty') return this.fail(`Unknown format: ${flags.format}`);
    let s = `Consul v${CONSUL_API_VERSION}\n`;
    if (REVISION) s += `Revision ${REVISION}\n`;
    s += `Build Date ${BUILD_DATE}\n`;
    const supplement =
      rpc.Default < rpc.Max ? ` (agent will automatically use protocol >${rpc.Default} when speaking to compatible agents)` : '';
    s += `Protocol ${rpc.Default} spoken by default, understands ${rpc.Min} to ${rpc.Max}${supplement}\n`;
    s += `Implementation consul-ts v${CONSUL_TS_VERSION}\n`;
    // Consul's UI.Output adds a newline after the text, which already ends with one.
    this.out(s);
    return 0;
  }
}
