import { randomBytes } from 'node:crypto';
import { BaseCommand } from '../core/cli/base-command.js';

export default class Keygen extends BaseCommand {
  static override summary = 'Generates a new encryption key';
  static override description = `
Usage: consul keygen

  Generates a new 32-byte encryption key that can be used to configure the
  agent to encrypt traffic. The output of this command is already
  in the proper format that the agent expects.
`;
  static override flags = {};

  protected async execute(): Promise<number> {
    await this.parseGo(Keygen.flags);
    // A 32-byte key selects AES-256 in memberlist's keyring, as Consul's keygen does.
    this.out(randomBytes(32).toString('base64'));
    return 0;
  }
}
