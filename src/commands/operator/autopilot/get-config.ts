// `consul operator autopilot get-config`: autopilot's settings, one `Name = value` line each
// (command/operator/autopilot/get). Durations are re-printed the way Go's Duration.String does.
import { BaseCommand } from '../../../core/cli/base-command.js';
import { goQuote } from '../../../core/cli/go-quote.js';
import { clientFlags, serverFlags } from '../../../core/cli/flags.js';
import type { AutopilotConfiguration } from '../../../core/client/operator.js';
import { formatGoDuration, parseGoDuration } from '../../../core/support/duration.js';

/** The lines Consul prints; throws DurationError when the agent sent an unreadable duration. */
export function configLines(c: AutopilotConfiguration): string[] {
  return [
    `CleanupDeadServers = ${String(c.CleanupDeadServers)}`,
    `LastContactThreshold = ${formatGoDuration(parseGoDuration(c.LastContactThreshold))}`,
    `MaxTrailingLogs = ${c.MaxTrailingLogs}`,
    `MinQuorum = ${c.MinQuorum}`,
    `ServerStabilizationTime = ${formatGoDuration(parseGoDuration(c.ServerStabilizationTime))}`,
    `RedundancyZoneTag = ${goQuote(c.RedundancyZoneTag ?? '')}`,
    `DisableUpgradeMigration = ${String(c.DisableUpgradeMigration)}`,
    `UpgradeVersionTag = ${goQuote(c.UpgradeVersionTag ?? '')}`,
  ];
}

export default class OperatorAutopilotGetConfig extends BaseCommand {
  static override summary = 'Display the current Autopilot configuration';
  static override description = `
Usage: consul operator autopilot get-config [options]

  Displays the current Autopilot configuration.
`;
  static override flags = { ...clientFlags, ...serverFlags };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(OperatorAutopilotGetConfig.flags);
    const client = this.initClient(flags);
    if (!client) return 1;
    let lines: string[];
    try {
      // A bad duration fails Go's JSON decoding, so it is reported as a query error too.
      lines = configLines(await client.operator.autopilotGetConfiguration({ allowStale: flags.stale }));
    } catch (e) {
      return this.fail(`Error querying Autopilot configuration: ${this.message(e)}`);
    }
    for (const l of lines) this.out(l);
    return 0;
  }
}
