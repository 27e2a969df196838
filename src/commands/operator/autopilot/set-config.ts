// `consul operator autopilot set-config -name=value ...`: read autopilot's settings, overlay the
// flags that were given, and write them back with check-and-set
// (command/operator/autopilot/set). MUST: a flag left out keeps the current value, so every
// flag is "unset" by default (no oclif defaults), and values parse as Consul's flag Values do
// (strconv.ParseUint base 0, time.ParseDuration), failing with Go's flag error texts.
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../../core/cli/base-command.js';
import { clientFlags, serverFlags } from '../../../core/cli/flags.js';
import type { FlagSpecs } from '../../../core/cli/go-flags.js';
import { goFlagDefaults } from '../../../core/cli/help.js';
import type { AutopilotConfiguration } from '../../../core/client/operator.js';
import { DurationError, formatGoDuration, parseGoDuration } from '../../../core/support/duration.js';

class FlagValueError extends Error {}

/** Go's underscoreOK: `_` only between digits (or right after a base prefix). */
function underscoresOk(s: string): boolean {
  let saw = '^';
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1]!)) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (/[0-9]/.test(c) || (hex && /[a-fA-F]/.test(c))) saw = '0';
    else if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
    } else {
      if (saw === '_') return false;
      saw = '!';
    }
  }
  return saw !== '_';
}

/** strconv.ParseUint(s, 0, 64), with its error texts. */
export function parseGoUint(s: string): number {
  const fail = (why: string) => new FlagValueError(`strconv.ParseUint: parsing ${JSON.stringify(s)}: ${why}`);
  if (s === '') throw fail('invalid syntax');
  let base = 10n;
  let digits = s;
  if (s[0] === '0') {
    const p = s.length >= 3 ? s[1]!.toLowerCase() : '';
    base = p === 'b' ? 2n : p === 'x' ? 16n : 8n;
    digits = p === 'b' || p === 'o' || p === 'x' ? s.slice(2) : s.slice(1);
  }
  let n = 0n;
  let underscores = false;
  for (const c of digits) {
    if (c === '_') {
      underscores = true;
      continue;
    }
    const d = /[0-9]/.test(c) ? BigInt(c.charCodeAt(0) - 48) : /[a-zA-Z]/.test(c) ? BigInt(c.toLowerCase().charCodeAt(0) - 87) : -1n;
    if (d < 0n || d >= base) throw fail('invalid syntax');
    n = n * base + d;
    if (n > 0xffff_ffff_ffff_ffffn) throw fail('value out of range');
  }
  if (underscores && !underscoresOk(s)) throw fail('invalid syntax');
  return Number(n);
}

function goDuration(s: string): number {
  try {
    return parseGoDuration(s);
  } catch (e) {
    if (e instanceof DurationError) throw new FlagValueError(e.message);
    throw e;
  }
}

/** Flags that only count when given: a boolean without default stays undefined when absent. */
const optionalBool = (description: string) => Flags.boolean({ description, allowNo: true });
const optionalValue = (description: string, helpValue?: string) => Flags.string(helpValue ? { description, helpValue } : { description });

export default class OperatorAutopilotSetConfig extends BaseCommand {
  static override summary = 'Modify the current Autopilot configuration';
  static override description = `
Usage: consul operator autopilot set-config [options]

  Modifies the current Autopilot configuration.
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    'cleanup-dead-servers': optionalBool(
      'Controls whether Consul will automatically remove dead servers when new ones are successfully added. Must be one of `true|false`.',
    ),
    'max-trailing-logs': optionalValue('Controls the maximum number of log entries that a server can trail the leader by before being considered unhealthy.'),
    'min-quorum': optionalValue('Sets the minimum number of servers required in a cluster before autopilot is allowed to prune dead servers.'),
    'last-contact-threshold': optionalValue(
      'Controls the maximum amount of time a server can go without contact from the leader before being considered unhealthy. Must be a duration value such as `200ms`.',
      '200ms',
    ),
    'server-stabilization-time': optionalValue(
      "Controls the minimum amount of time a server must be stable in the 'healthy' state before being added to the cluster. Only takes effect if all servers are running Raft protocol version 3 or higher. Must be a duration value such as `10s`.",
      '10s',
    ),
    'redundancy-zone-tag': optionalValue('(Enterprise-only) Controls the node_meta tag name used for separating servers into different redundancy zones.'),
    'disable-upgrade-migration': optionalBool(
      '(Enterprise-only) Controls whether Consul will avoid promoting new servers until it can perform a migration. Must be one of `true|false`.',
    ),
    'upgrade-version-tag': optionalValue(
      '(Enterprise-only) The node_meta tag to use for version info when performing upgrade migrations. If left blank, the Consul version will be used.',
    ),
  };

  /** Go's FlagSet error (message, then the flag list) followed by the command's own line. */
  private flagError(name: string, value: string, why: string): number {
    const specs = (this.config.findCommand(this.id ?? '')?.flags ?? {}) as unknown as FlagSpecs;
    const msg = `invalid value ${JSON.stringify(value)} for flag -${name}: ${why}`;
    this.err(msg);
    this.err(goFlagDefaults(specs).replace(/\n$/, ''));
    return this.fail(`Failed to parse args: ${msg}`);
  }

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(OperatorAutopilotSetConfig.flags);
    const parsed: { trailing?: number; quorum?: number; lastContactMs?: number; stabilizationMs?: number } = {};
    const numeric: Array<[string, string | undefined, (v: string) => number, (n: number) => void]> = [
      ['max-trailing-logs', flags['max-trailing-logs'], parseGoUint, (n) => (parsed.trailing = n)],
      ['min-quorum', flags['min-quorum'], parseGoUint, (n) => (parsed.quorum = n)],
      ['last-contact-threshold', flags['last-contact-threshold'], goDuration, (n) => (parsed.lastContactMs = n)],
      ['server-stabilization-time', flags['server-stabilization-time'], goDuration, (n) => (parsed.stabilizationMs = n)],
    ];
    for (const [name, raw, parse, set] of numeric) {
      if (raw === undefined) continue;
      try {
        set(parse(raw));
      } catch (e) {
        if (e instanceof FlagValueError) return this.flagError(name, raw, e.message);
        throw e;
      }
    }

    const client = this.initClient(flags);
    if (!client) return 1;
    let current: AutopilotConfiguration;
    let lastContactMs: number;
    let stabilizationMs: number;
    try {
      current = await client.operator.autopilotGetConfiguration();
      lastContactMs = parseGoDuration(current.LastContactThreshold);
      stabilizationMs = parseGoDuration(current.ServerStabilizationTime);
    } catch (e) {
      return this.fail(`Error querying Autopilot configuration: ${this.message(e)}`);
    }
    const next: AutopilotConfiguration = {
      CleanupDeadServers: flags['cleanup-dead-servers'] ?? current.CleanupDeadServers,
      LastContactThreshold: formatGoDuration(parsed.lastContactMs ?? lastContactMs),
      MaxTrailingLogs: parsed.trailing ?? current.MaxTrailingLogs,
      MinQuorum: parsed.quorum ?? current.MinQuorum,
      ServerStabilizationTime: formatGoDuration(parsed.stabilizationMs ?? stabilizationMs),
      RedundancyZoneTag: flags['redundancy-zone-tag'] ?? current.RedundancyZoneTag,
      DisableUpgradeMigration: flags['disable-upgrade-migration'] ?? current.DisableUpgradeMigration,
      UpgradeVersionTag: flags['upgrade-version-tag'] ?? current.UpgradeVersionTag,
      CreateIndex: current.CreateIndex,
      ModifyIndex: current.ModifyIndex,
    };
    let updated: boolean;
    try {
      updated = await client.operator.autopilotCasConfiguration(next);
    } catch (e) {
      return this.fail(`Error setting Autopilot configuration: ${this.message(e)}`);
    }
    if (updated) {
      this.out('Configuration updated!');
      return 0;
    }
    // Consul prints this on stdout, yet exits 1.
    this.out('Configuration could not be atomically updated, please try again');
    return 1;
  }
}
