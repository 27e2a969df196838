import { BaseCommand } from '../core/cli/base-command.js';
import { boolFlag, clientFlags, intFlag, stringFlag } from '../core/cli/flags.js';
import { commandHelpText } from '../core/cli/self-help.js';
import type { KeyringResponse } from '../core/client/index.js';

export default class Keyring extends BaseCommand {
  static override summary = 'Manages gossip layer encryption keys';
  static override description = `
Usage: consul keyring [options]

  Manages encryption keys used for gossip messages. Gossip encryption is
  optional. When enabled, this command may be used to examine active encryption
  keys in the cluster, add new keys, and remove old ones. When combined, this
  functionality provides the ability to perform key rotation cluster-wide,
  without disrupting the cluster.

  All operations performed by this command can only be run against server nodes,
  and affect both the LAN and WAN keyrings in lock-step.

  All variations of the keyring command return 0 if all nodes reply and there
  are no errors. If any node fails to reply or reports failure, the exit code
  will be 1.
`;
  static override flags = {
    ...clientFlags,
    install: stringFlag('Install a new encryption key. This will broadcast the new key to all members in the cluster.', ''),
    use: stringFlag('Change the primary encryption key, which is used to encrypt messages. The key must already be installed before this operation can succeed.', ''),
    remove: stringFlag('Remove the given key from the cluster. This operation may only be performed on keys which are not currently the primary key.', ''),
    list: boolFlag('List all keys currently in use within the cluster.'),
    'list-primary': boolFlag('List all primary keys currently in use within the cluster.'),
    'relay-factor': intFlag('Setting this to a non-zero value will cause nodes to relay their response to the operation through this many randomly-chosen other nodes in the cluster. The maximum allowed value is 5.'),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(Keyring.flags);
    const list = flags.list === true || flags['list-primary'] === true;
    let found = list;
    for (const arg of [flags.install, flags.use, flags.remove]) {
      if (found && arg) {
        this.err('Only a single action is allowed');
        return 1;
      }
      found = found || !!arg;
    }
    if (!found) {
      this.err(commandHelpText(this.config, 'keyring'));
      return 1;
    }
    const relay = flags['relay-factor'] ?? 0;
    if (relay < 0 || relay > 5) {
      this.err('Error parsing relay factor: Relay factor must be in range: [0, 5]');
      return 1;
    }
    const client = this.api(flags);
    if (!client) return 1;
    try {
      if (list) {
        this.out('==> Gathering installed encryption keys...');
        this.printList(await client.operator.keyringList(relay), flags['list-primary'] === true);
      } else if (flags.install) {
        this.out('==> Installing new gossip encryption key...');
        await client.operator.keyringInstall(flags.install, relay);
      } else if (flags.use) {
        this.out('==> Changing primary gossip encryption key...');
        await client.operator.keyringUse(flags.use, relay);
      } else if (flags.remove) {
        this.out('==> Removing gossip encryption key...');
        await client.operator.keyringRemove(flags.remove, relay);
      }
    } catch (e) {
      this.err(`error: ${this.message(e)}`);
      return 1;
    }
    return 0;
  }

  private printList(responses: readonly KeyringResponse[], primary: boolean): void {
    for (const r of responses) {
      let pool = `${r.Datacenter} (LAN)`;
      if (r.Segment) pool += ` [${r.Segment}]`;
      if (r.WAN) pool = 'WAN';
      this.out('');
      this.out(`${pool}:`);
      const keys = primary ? (r.PrimaryKeys ?? {}) : r.Keys;
      for (const [key, num] of Object.entries(keys)) this.out(`  ${key} [${num}/${r.NumNodes}]`);
    }
  }
}
