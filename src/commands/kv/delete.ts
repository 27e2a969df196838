import { BaseCommand } from '../../core/cli/base-command.js';
import { boolFlag, clientFlags, serverFlags, uintFlag } from '../../core/cli/flags.js';

export default class KvDelete extends BaseCommand {
  static override summary = 'Removes data from the KV store';
  static override description = `
Usage: consul kv delete [options] KEY_OR_PREFIX

  Removes the value from Consul's key-value store at the given path. If no
  key exists at the path, no action is taken.

  To delete the value for the key named "foo" in the key-value store:

      $ consul kv delete foo

  To delete all keys which start with "foo", specify the -recurse option:

      $ consul kv delete -recurse foo

  This will delete the keys named "foo", "food", and "foo/bar/zip" if they
  existed.
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    cas: boolFlag(
      'Perform a Check-And-Set operation. Specifying this value also requires the -modify-index flag to be set. The default value is false.',
    ),
    'modify-index': uintFlag(
      'Unsigned integer representing the ModifyIndex of the key. This is used in combination with the -cas flag.',
    ),
    recurse: boolFlag('Recursively delete all keys with the path. The default value is false.'),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(KvDelete.flags);
    const args = argv;
    if (args.length > 1) return this.fail(`Too many arguments (expected 1, got ${args.length})`);
    const key = (args[0] ?? '').replace(/^\//, '');
    const modifyIndex = flags['modify-index'];
    if (key === '' && !flags.recurse) return this.fail('Error! Missing KEY argument');
    if (flags.cas && modifyIndex === 0) {
      // (sic) Consul's message repeats "than".
      return this.fail('Cannot delete a key that does not exist. Provide a -modify-index greater than than 0.');
    }
    if (modifyIndex !== 0 && !flags.cas) return this.fail('Cannot specify -modify-index without -cas!');
    if (flags.recurse && flags.cas) return this.fail('Cannot specify both -cas and -recurse!');
    const client = this.api(flags);
    if (!client) return 1;
    if (flags.recurse) {
      try {
        await client.kv.deleteTree(key);
      } catch (e) {
        return this.fail(`Error! Did not delete prefix ${key}: ${this.message(e)}`);
      }
      this.out(`Success! Deleted keys with prefix: ${key}`);
      return 0;
    }
    if (flags.cas) {
      let ok: boolean;
      try {
        ok = await client.kv.deleteCAS(key, modifyIndex);
      } catch (e) {
        return this.fail(`Error! Did not delete key ${key}: ${this.message(e)}`);
      }
      if (!ok) return this.fail(`Error! Did not delete key ${key}: CAS failed`);
      this.out(`Success! Deleted key: ${key}`);
      return 0;
    }
    try {
      await client.kv.delete(key);
    } catch (e) {
      return this.fail(`Error deleting key ${key}: ${this.message(e)}`);
    }
    this.out(`Success! Deleted key: ${key}`);
    return 0;
  }
}
