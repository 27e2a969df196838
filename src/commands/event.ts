import { eventFilterError } from '../core/cli/event-filters.js';
import { BaseCommand } from '../core/cli/base-command.js';
import { clientFlags, stringFlag } from '../core/cli/flags.js';
import { commandHelpText } from '../core/cli/self-help.js';

export default class Event extends BaseCommand {
  static override summary = 'Fire a new event';
  static override description = `
Usage: consul event [options] [payload]

  Dispatches a custom user event across a datacenter. An event must provide
  a name, but a payload is optional. Events support filtering using
  regular expressions on node name, service, and tag definitions.
`;
  static override flags = {
    ...clientFlags,
    name: stringFlag('Name of the event.'),
    node: stringFlag('Regular expression to filter on node names.'),
    service: stringFlag('Regular expression to filter on service instances.'),
    tag: stringFlag('Regular expression to filter on service tags. Must be used with -service.'),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(Event.flags);
    const name = flags.name ?? '';
    if (name === '') return this.usageError('Event name must be specified');
    const filterError = eventFilterError(flags);
    if (filterError) return this.fail(filterError);
    if (argv.length > 1) return this.usageError('Too many command line arguments.');
    const client = this.api(flags);
    if (!client) return 1;
    const unreachable = await this.agentUnreachable(client);
    if (unreachable !== undefined) return unreachable;
    let id: string;
    try {
      id = await client.event.fire({
        Name: name,
        Payload: argv[0] !== undefined ? Buffer.from(argv[0]) : undefined,
        NodeFilter: flags.node,
        ServiceFilter: flags.service,
        TagFilter: flags.tag,
      });
    } catch (e) {
      return this.fail(`Error firing event: ${this.message(e)}`);
    }
    this.out(`Event ID: ${id}`);
    return 0;
  }

  private usageError(message: string): number {
    this.err(message);
    this.err('');
    this.err(commandHelpText(this.config, 'event'));
    return 1;
  }
}
