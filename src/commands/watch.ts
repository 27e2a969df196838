import type { ChildProcess } from 'node:child_process';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../core/cli/base-command.js';
import { clientFlags, serverFlags, stringFlag } from '../core/cli/flags.js';
import { parseGoBool } from '../core/cli/go-flags.js';
import { goMarshalIndent } from '../core/cli/go-json.js';
import { commandHelpText } from '../core/cli/self-help.js';

export default class Watch extends BaseCommand {
  static override summary = 'Watch for changes in Consul';
  static override description = `
Usage: consul watch [options] [child...]

  Watches for changes in a given data view from Consul. If a child process
  is specified, it will be invoked with the latest results on changes. Otherwise,
  the latest values are dumped to stdout and the watch terminates.

  Providing the watch type is required, and other parameters may be required
  or supported depending on the watch type.
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    type: stringFlag('Specifies the watch type. One of key, keyprefix, services, nodes, service, checks, or event.'),
    key: stringFlag("Specifies the key to watch. Only for 'key' type."),
    prefix: stringFlag("Specifies the key prefix to watch. Only for 'keyprefix' type."),
    service: stringFlag("Specifies the service to watch. Required for 'service' type, optional for 'checks' type."),
    tag: stringFlag("Specifies the service tag to filter on. Optional for 'service' type."),
    passingonly: stringFlag(
      "Specifies if only hosts passing all checks are displayed. Optional for 'service' type, must be one of `[true|false]`. Defaults false.",
    ),
    shell: Flags.boolean({
      default: true,
      allowNo: true,
      description: 'Use a shell to run the command (can set a custom shell via the SHELL environment variable).',
    }),
    state: stringFlag("Specifies the states to watch. Optional for 'checks' type."),
    name: stringFlag("Specifies an event name to watch. Only for 'event' type."),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(Watch.flags);
    if (!flags.type) {
      this.err('Watch type must be specified');
      this.err('');
      this.err(commandHelpText(this.config, 'watch'));
      return 1;
    }
    const params: Record<string, unknown> = { type: flags.type };
    const strings = { datacenter: flags.datacenter, token: flags.token, key: flags.key, prefix: flags.prefix, service: flags.service, tag: flags.tag, state: flags.state, name: flags.name };
    for (const [k, v] of Object.entries(strings)) if (v) params[k] = v;
    if (flags.stale) params.stale = true;
    if (flags.passingonly) {
      const b = parseGoBool(flags.passingonly);
      if (b === undefined) return this.fail(`Failed to parse passingonly flag: strconv.ParseBool: parsing "${flags.passingonly}": invalid syntax`);
      params.passingonly = b;
    }
    // The watch core is loaded only by this command (it stays outside the CLI bundle).
    const watch = await import('../core/watch/index.js');
    let spec;
    try {
      spec = watch.parseWatch(params);
    } catch (e) {
      return this.fail(this.message(e));
    }
    const client = this.api(flags);
    if (!client) return 1;
    const unreachable = await this.agentUnreachable(client);
    if (unreachable !== undefined) return unreachable;
    let exitCode = 0;
    let child: ChildProcess | undefined;
    const handler =
      argv.length === 0
        ? (_index: bigint, value: unknown): void => {
            this.out(goMarshalIndent(value ?? null, '    '));
            plan.stop();
          }
        : async (index: bigint, value: unknown): Promise<void> => {
            const run = watch.runScriptHandler(flags.shell ? { script: argv.join(' ') } : { args: argv }, index, value, { capture: false });
            child = run.child;
            const failure = await run.done;
            child = undefined;
            if (failure) {
              this.err(`Error executing handler: ${failure}`);
              exitCode = 1;
              plan.stop();
            }
          };
    const plan = new watch.WatchPlan(spec, watch.httpWatchTransport(client.config), handler, {
      onError: (err, retryMs) => this.err(`${new Date().toISOString()} [ERROR] watch: Watch errored: type=${spec.type} error="${err.message}" retry=${retryMs / 1000}s`),
    });
    // Consul: a shutdown signal stops the plan and exits 0; signals reach a running handler too.
    const interrupted = new Promise<number>((resolve) => {
      const onSignal = (sig: NodeJS.Signals): void => {
        child?.kill(sig);
        plan.stop();
        resolve(0);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    });
    return Promise.race([plan.run().then(() => exitCode), interrupted]);
  }
}
