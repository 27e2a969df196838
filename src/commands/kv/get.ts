import { Flags } from '@oclif/core';
import { BaseCommand } from '../../core/cli/base-command.js';
import { boolFlag, clientFlags, serverFlags } from '../../core/cli/flags.js';
import { prettyKVPair } from '../../core/cli/kv-format.js';

export default class KvGet extends BaseCommand {
  static override summary = 'Retrieves or lists data from the KV store';
  static override description = `
Usage: consul kv get [options] [KEY_OR_PREFIX]

  Retrieves the value from Consul's key-value store at the given key name. If no
  key exists with that name, an error is returned. If a key exists with that
  name but has no data, nothing is returned. If the name or prefix is omitted,
  it defaults to "" which is the root of the key-value store.

  To retrieve the value for the key named "foo" in the key-value store:

      $ consul kv get foo

  To view detailed information about the key, specify the "-detailed" flag;
  to list every pair under a prefix, "-recurse"; to list key names only, "-keys":

      $ consul kv get -detailed foo
      $ consul kv get -recurse foo
      $ consul kv get -keys foo

  For a full list of options and examples, please see the Consul documentation.
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    base64: boolFlag('Base64 encode the value. The default value is false.'),
    detailed: boolFlag(
      'Provide additional metadata about the key in addition to the value such as the ModifyIndex and any flags that may have been set on the key. The default value is false.',
    ),
    keys: boolFlag(
      'List keys which start with the given prefix, but not their values. This is especially useful if you only need the key names themselves. This option is commonly combined with the -separator option. The default value is false.',
    ),
    recurse: boolFlag('Recursively look at all keys prefixed with the given path. The default value is false.'),
    separator: Flags.string({
      default: '/',
      helpValue: 'string',
      description:
        'String to use as a separator between keys. The default value is "/", but this option is only taken into account when paired with the -keys flag.',
    }),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(KvGet.flags);
    const args = argv;
    if (args.length > 1) return this.fail(`Too many arguments (expected 1, got ${args.length})`);
    // Pairs cannot start with "/", so strip one for the user, as Consul does.
    const key = (args[0] ?? '').replace(/^\//, '');
    if (key === '' && !(flags.recurse || flags.keys)) return this.fail('Error! Missing KEY argument');
    const client = this.api(flags);
    if (!client) return 1;
    const q = { allowStale: flags.stale };
    try {
      if (flags.keys) {
        for (const k of await client.kv.keys(key, flags.separator, q)) this.out(k);
        return 0;
      }
      if (flags.recurse) {
        const pairs = await client.kv.list(key, q);
        pairs.forEach((pair, i) => {
          if (flags.detailed) {
            this.out(prettyKVPair(pair, flags.base64));
            if (i < pairs.length - 1) this.out('');
          } else {
            const value = flags.base64 ? Buffer.from(pair.Value.toString('base64')) : pair.Value;
            this.out(Buffer.concat([Buffer.from(`${pair.Key}:`), value]));
          }
        });
        return 0;
      }
      const { pair } = await client.kv.get(key, q);
      if (!pair) return this.fail(`Error! No key exists at: ${key}`);
      this.out(flags.detailed ? prettyKVPair(pair, flags.base64) : pair.Value);
      return 0;
    } catch (e) {
      return this.fail(`Error querying Consul agent: ${this.message(e)}`);
    }
  }
}
