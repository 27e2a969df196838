import { BaseCommand } from '../core/cli/base-command.js';
import { boolFlag, clientFlags, stringFlag } from '../core/cli/flags.js';

// Consul: command/monitor/monitor.go. Lines go to stdout as they arrive; an interrupt ends the
// command with 0; the agent ending the stream is reported and exits 1.
export default class Monitor extends BaseCommand {
  static override summary = 'Stream logs from a Consul agent';
  static override description = `
Usage: consul monitor [options]

  Shows recent log messages of a Consul agent, and attaches to the agent,
  outputting log messages as they occur in real time. The monitor lets you
  listen for log levels that may be filtered out of the Consul agent. For
  example your agent may only be logging at INFO level, but with the monitor
  you can see the DEBUG level logs.
`;
  static override flags = {
    ...clientFlags,
    'log-level': stringFlag('Log level of the agent.', 'INFO'),
    'log-json': boolFlag('Output logs in JSON format.'),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(Monitor.flags);
    const client = this.api(flags);
    if (!client) return 1;
    const abort = new AbortController();
    let quitting = false;
    const onSignal = (): void => {
      quitting = true;
      abort.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const lines = client.agent.monitor(flags['log-level'] ?? 'INFO', flags['log-json'] ?? false, abort.signal);
      let first: IteratorResult<string>;
      try {
        first = await lines.next();
      } catch (e) {
        if (quitting) return 0;
        return this.fail(`Error starting monitor: ${this.message(e)}`);
      }
      if (!first.done) {
        this.out(first.value);
        for await (const line of lines) this.out(line);
      }
      if (quitting) return 0;
      this.out('');
      this.out('Remote side ended the monitor! This usually means that the\nremote side has exited or crashed.');
      return 1;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
