import { Flags } from '@oclif/core';
import { BaseCommand } from '../core/cli/base-command.js';
import { clientFlags } from '../core/cli/flags.js';
import { isInteractive } from '../core/cli/output.js';
import { parseGoDuration } from '../core/support/duration.js';

const TARGETS = 'metrics, logs, pprof, host, agent, members';

// Consul: command/debug/debug.go. The work is in src/core/debug (loaded only when this runs).
export default class Debug extends BaseCommand {
  static override summary = 'Records a debugging archive for operators';
  static override description = `
Usage: consul debug [options]

  Monitors a Consul agent for the specified period of time, recording
  information about the agent, cluster, and environment to an archive
  written to the specified path.

  If ACLs are enabled, an 'operator:read' token must be supplied in order
  to perform this operation.

  To create a debug archive in the current directory for the default
  duration and interval, capturing all information available:

      $ consul debug

  The command stores captured data at the configured output path
  through the duration, and will archive the data at the same
  path if interrupted.

  Flags can be used to customize the duration and interval of the
  operation. Duration is the total time to capture data for from the target
  agent and interval controls how often dynamic data such as metrics
  are scraped.

      $ consul debug -interval=20s -duration=1m

  The capture flag can be specified multiple times to limit information
  retrieved.

      $ consul debug -capture metrics -capture agent

  By default, the archive containing the debugging information is
  saved to the current directory as a .tar.gz file. The
  output path can be specified, as well as an option to disable
  archiving, leaving the directory intact.

      $ consul debug -output=/foo/bar/my-debugging -archive=false

  Note: Information collected by this command has the potential
  to be highly sensitive. Sensitive material such as ACL tokens and
  other commonly secret material are redacted automatically, but we
  strongly recommend review of the data within the archive prior to
  transmitting it.

  For a full list of options and examples, please see the Consul
  documentation.
`;
  static override flags = {
    ...clientFlags,
    capture: Flags.string({
      multiple: true,
      helpValue: 'string',
      description: `One or more types of information to capture. This can be used to capture a subset of information, and defaults to capturing everything available. Possible information for capture: ${TARGETS}. This can be repeated multiple times.`,
    }),
    interval: Flags.string({ helpValue: 'duration', default: '30s', description: 'The interval in which to capture dynamic information such as telemetry, and profiling. Defaults to 30s.' }),
    duration: Flags.string({ helpValue: 'duration', default: '5m0s', description: 'The total time to record information. Defaults to 5m0s.' }),
    archive: Flags.boolean({
      default: true,
      allowNo: true,
      description: 'Boolean value for if the files should be archived and compressed. Setting this to false will skip the archive step and leave the directory of information on the current path.',
    }),
    output: Flags.string({ helpValue: 'string', description: 'The path to the compressed archive that will be created with the information after collection.' }),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(Debug.flags);
    const ms: Record<'interval' | 'duration', number> = { interval: 0, duration: 0 };
    for (const name of ['interval', 'duration'] as const) {
      const raw = flags[name];
      try {
        ms[name] = parseGoDuration(raw);
      } catch {
        this.err(`invalid value "${raw}" for flag -${name}: parse error`);
        return this.fail(`==> Error parsing flags: invalid value "${raw}" for flag -${name}: parse error`);
      }
    }
    if (argv.length > 0) return this.fail('==> debug: Too many arguments provided, expected 0');
    const client = this.api(flags);
    if (!client) return 1;
    const dbg = await import('../core/debug/index.js');
    const io = { out: (l: string) => this.out(l), err: (l: string) => this.err(l) };
    const reporter = isInteractive() ? new (await import('../core/debug/progress-view.js')).InkReporter(io) : new dbg.PlainReporter(io);
    const abort = new AbortController();
    const onSignal = (): void => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const capture = new dbg.DebugCapture(
        {
          client,
          intervalMs: ms.interval,
          durationMs: ms.duration,
          output: flags.output ?? dbg.defaultOutputName(new Date()),
          archive: flags.archive,
          capture: flags.capture ?? [],
          signal: abort.signal,
        },
        reporter,
      );
      return await capture.run();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
