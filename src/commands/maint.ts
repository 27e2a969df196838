import { BaseCommand } from '../core/cli/base-command.js';
import { boolFlag, clientFlags, stringFlag } from '../core/cli/flags.js';
import { NODE_MAINTENANCE_CHECK, SERVICE_MAINTENANCE_PREFIX } from '../core/client/index.js';

export default class Maint extends BaseCommand {
  static override summary = 'Controls node or service maintenance mode';
  static override description = `
Usage: consul maint [options]

  Puts a node or a service into maintenance mode, or takes it out again.
  While in maintenance mode the node or service is left out of every DNS
  and API query, which takes it out of the pool of available nodes. This
  works by registering an extra, critical health check.

  When enabling maintenance mode you may give a reason. It becomes the
  "Notes" field of that critical check; without one a default text is used.

  Maintenance mode persists across agent restarts, so it must be disabled
  explicitly before the node or service rejoins the pool.

  By default the whole node is affected. With "-service" only the service
  with that ID is.

  With no arguments the current maintenance status is shown; the output is
  empty when nothing is in maintenance.
`;
  static override flags = {
    ...clientFlags,
    enable: boolFlag('Enable maintenance mode.'),
    disable: boolFlag('Disable maintenance mode.'),
    reason: stringFlag('Text describing the maintenance reason.'),
    service: stringFlag('Control maintenance mode for a specific service ID.'),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(Maint.flags);
    const reason = flags.reason ?? '';
    const serviceId = flags.service ?? '';
    if (flags.enable && flags.disable) return this.fail('Only one of -enable or -disable may be provided');
    if (!flags.enable && reason !== '') return this.fail('Reason may only be provided with -enable');
    if (!flags.enable && !flags.disable && serviceId !== '') return this.fail('Service requires either -enable or -disable');

    const client = this.api(flags);
    if (!client) return 1;
    const agent = client.agent;
    let nodeName: string;
    try {
      nodeName = await agent.nodeName();
    } catch (e) {
      return this.fail(`Error querying Consul agent: ${this.message(e)}`);
    }

    if (!flags.enable && !flags.disable) {
      let checks;
      try {
        checks = await agent.checks();
      } catch (e) {
        return this.fail(`Error getting checks: ${this.message(e)}`);
      }
      // Consul walks a Go map (random order); sorting by check ID puts the node first.
      for (const id of Object.keys(checks).sort()) {
        const check = checks[id]!;
        const checkId = check.CheckID ?? id;
        if (checkId === NODE_MAINTENANCE_CHECK) {
          this.out('Node:');
          this.out(`  Name:   ${nodeName}`);
          this.out(`  Reason: ${check.Notes ?? ''}`);
          this.out('');
        } else if (checkId.startsWith(SERVICE_MAINTENANCE_PREFIX)) {
          this.out('Service:');
          this.out(`  ID:     ${check.ServiceID ?? ''}`);
          this.out(`  Reason: ${check.Notes ?? ''}`);
          this.out('');
        }
      }
      return 0;
    }

    if (flags.enable) {
      if (serviceId === '') {
        try {
          await agent.enableNodeMaintenance(reason);
        } catch (e) {
          return this.fail(`Error enabling node maintenance: ${this.message(e)}`);
        }
        this.out('Node maintenance is now enabled');
        return 0;
      }
      try {
        await agent.enableServiceMaintenance(serviceId, reason);
      } catch (e) {
        return this.fail(`Error enabling service maintenance: ${this.message(e)}`);
      }
      this.out(`Service maintenance is now enabled for ${JSON.stringify(serviceId)}`);
      return 0;
    }

    if (serviceId === '') {
      try {
        await agent.disableNodeMaintenance();
      } catch (e) {
        return this.fail(`Error disabling node maintenance: ${this.message(e)}`);
      }
      this.out('Node maintenance is now disabled');
      return 0;
    }
    try {
      await agent.disableServiceMaintenance(serviceId);
    } catch (e) {
      return this.fail(`Error disabling service maintenance: ${this.message(e)}`);
    }
    this.out(`Service maintenance is now disabled for ${JSON.stringify(serviceId)}`);
    return 0;
  }
}
