import { BaseCommand } from '../../core/cli/base-command.js';
import { boolFlag, clientFlags, serverFlags, stringFlag, uintFlag } from '../../core/cli/flags.js';
import { decodeStdBase64, readDataArg } from '../../core/cli/kv-format.js';

export default class KvPut extends BaseCommand {
  static override summary = 'Sets or updates data in the KV store';
  static override description = `
Usage: consul kv put [options] KEY [DATA]

  Writes the data to the given path in the key-value store. The data can be of
  any type.

      $ consul kv put config/redis/maxconns 5

  The data can also be consumed from a file on disk by prefixing with the "@"
  symbol. For example:

      $ consul kv put config/program/license @license.lic

  Or it can be read from stdin using the "-" symbol:

      $ echo "abcd1234" | consul kv put config/program/license -

  The DATA argument itself is optional. If omitted, this will create an empty
  key-value pair at the specified path:

      $ consul kv put webapp/beta/active

  If the -base64 flag is specified, the data will be treated as base 64
  encoded.

  To perform a Check-And-Set operation, specify the -cas flag with the
  appropriate -modify-index flag corresponding to the key you want to perform
  the CAS operation on:

      $ consul kv put -cas -modify-index=844 config/redis/maxconns 5

  Additional flags and more advanced use cases are detailed below.
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    acquire: boolFlag(
      'Obtain a lock on the key. If the key does not exist, this operation will create the key and obtain the lock. The session must already exist and be specified via the -session flag. The default value is false.',
    ),
    base64: boolFlag('Treat the data as base 64 encoded. The default value is false.'),
    cas: boolFlag(
      'Perform a Check-And-Set operation. Specifying this value also requires the -modify-index flag to be set. The default value is false.',
    ),
    flags: uintFlag(
      'Unsigned integer value to assign to this key-value pair. This value is not read by Consul, so clients can use this value however makes sense for their use case. The default value is 0 (no flags).',
    ),
    'modify-index': uintFlag(
      'Unsigned integer representing the ModifyIndex of the key. This is used in combination with the -cas flag.',
    ),
    release: boolFlag(
      'Forfeit the lock on the key at the given path. This requires the -session flag to be set. The key must be held by the session in order to be unlocked. The default value is false.',
    ),
    session: stringFlag(
      'User-defined identifer for this session as a string. This is commonly used with the -acquire and -release operations to build robust locking, but it can be set on any key. The default value is empty (no session).',
    ),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(KvPut.flags);
    const args = argv;
    if (args.length === 0) return this.fail('Error! Missing KEY argument');
    if (args.length > 2) return this.fail(`Error! Too many arguments (expected 1 or 2, got ${args.length})`);
    const key = args[0]!;
    let value: Buffer;
    try {
      value = args[1] === undefined || args[1] === '' ? Buffer.alloc(0) : await readDataArg(args[1]);
    } catch (e) {
      return this.fail(`Error! ${this.message(e)}`);
    }
    if (flags.base64) {
      const decoded = decodeStdBase64(value.toString('utf8'));
      // Consul prints this error and carries on with what it decoded (a long-standing upstream quirk).
      if (decoded.error) this.err(`Error! Cannot base 64 decode data: ${decoded.error}`);
      value = decoded.bytes;
    }
    const session = flags.session ?? '';
    if ((flags.release || flags.acquire) && session === '') {
      return this.fail('Error! Missing -session (required with -acquire and -release)');
    }
    // Consul 1.x (current): -cas with -modify-index=0 (or none) writes only if the key is absent.
    const client = this.api(flags);
    if (!client) return 1;
    const pair = { Key: key, Value: value, Flags: flags.flags, ModifyIndex: flags['modify-index'], Session: session };
    if (flags.cas) {
      let ok: boolean;
      try {
        ok = await client.kv.cas(pair);
      } catch (e) {
        return this.fail(`Error! Did not write to ${key}: ${this.message(e)}`);
      }
      if (!ok && flags['modify-index'] === 0) {
        return this.fail(`Error! Did not write to ${key}: CAS performed with index=0 and key already exists.`);
      }
      if (!ok) return this.fail(`Error! Did not write to ${key}: CAS failed`);
      this.out(`Success! Data written to: ${key}`);
      return 0;
    }
    if (flags.acquire || flags.release) {
      const acquire = flags.acquire;
      let ok: boolean;
      try {
        ok = acquire ? await client.kv.acquire(pair) : await client.kv.release(pair);
      } catch (e) {
        // Consul prints the key, not the error, when a release fails; kept for compatibility.
        return this.fail(`Error! Failed writing data: ${acquire ? this.message(e) : key}`);
      }
      if (!ok) return this.fail(acquire ? 'Error! Did not acquire lock' : 'Error! Did not release lock');
      this.out(acquire ? `Success! Lock acquired on: ${key}` : `Success! Lock released on: ${key}`);
      return 0;
    }
    try {
      await client.kv.put(pair);
    } catch (e) {
      return this.fail(`Error! Failed writing data: ${this.message(e)}`);
    }
    this.out(`Success! Data written to: ${key}`);
    return 0;
  }
}
