import { BaseCommand } from '../../core/cli/base-command.js';
import { clientFlags, serverFlags, stringFlag } from '../../core/cli/flags.js';
import { servicesFromFiles } from './register.js';

export default class ServicesDeregister extends BaseCommand {
  static override summary = 'Deregister services with the local agent';
  static override description = `
Usage: consul services deregister [options] [FILE...]

  Deregisters one or more services that were registered with the local
  agent before.

      $ consul services deregister web.json db.json

  Use -id to deregister a single service by its ID:

      $ consul services deregister -id=web

  Services are removed from the local agent, so this command must run
  against the agent the service was registered with.
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    id: stringFlag('ID to delete. This must not be set if arguments are given.'),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(ServicesDeregister.flags);
    const flagId = flags.id ?? '';
    if (argv.length === 0 && flagId === '') return this.fail('Service deregistration requires at least one argument or -id.');
    if (argv.length > 0 && flagId !== '') return this.fail('Service deregistration requires arguments or -id, not both.');

    let targets: Array<{ id: string; name: string }> = [{ id: flagId, name: '' }];
    if (argv.length > 0) {
      try {
        targets = (await servicesFromFiles(argv)).map((def) => ({
          id: typeof def['id'] === 'string' ? def['id'] : typeof def['ID'] === 'string' ? def['ID'] : '',
          name: typeof def['name'] === 'string' ? def['name'] : typeof def['Name'] === 'string' ? def['Name'] : '',
        }));
      } catch (e) {
        return this.fail(`Error: ${this.message(e).replace(/\n+$/, '')}`);
      }
    }

    const client = this.api(flags);
    if (!client) return 1;
    for (const t of targets) {
      const id = t.id || t.name;
      if (id === '') continue;
      try {
        await client.agent.serviceDeregister(id);
      } catch (e) {
        return this.fail(`Error deregistering service ${JSON.stringify(t.name)}: ${this.message(e)}`);
      }
      this.out(`Deregistered service: ${id}`);
    }
    return 0;
  }
}
