import { rename, rm, writeFile, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { BaseCommand } from '../../core/cli/base-command.js';
import { clientFlags, serverFlags, stringFlag } from '../../core/cli/flags.js';

export default class SnapshotSave extends BaseCommand {
  static override summary = 'Saves snapshot of Consul server state';
  static override description = `
Usage: consul snapshot save [options] FILE

  Retrieves an atomic, point-in-time snapshot of the state of the Consul servers
  which includes key/value entries, service catalog, prepared queries, sessions,
  and ACLs.

  If ACLs are enabled, a management token must be supplied in order to perform
  snapshot operations.

  To create a snapshot from the leader server and save it to "backup.snap":

    $ consul snapshot save backup.snap

  To create a potentially stale snapshot from any available server (useful if no
  leader is available):

    $ consul snapshot save -stale backup.snap

  For a full list of options and examples, please see the Consul documentation.
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    'append-filename': stringFlag(
      'Append filename flag takes two possible values. 1. version, 2. dc. 3. node 5. status. It appends consul version and datacenter to filename given in command',
    ),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(SnapshotSave.flags);
    const args = argv;
    if (args.length === 0) return this.fail('Missing FILE argument');
    if (args.length > 1) return this.fail(`Too many arguments (expected 1, got ${args.length})`);
    let file = args[0]!;
    const client = this.api(flags);
    if (!client) return 1;
    const append = (flags['append-filename'] ?? '').split(',').filter((s) => s !== '');
    if (append.length > 0) {
      let self;
      try {
        self = await client.agent.self();
      } catch (e) {
        return this.fail(`Error connecting to Consul agent and fetching datacenter/version: ${this.message(e)}`);
      }
      const ext = extname(file);
      let base = file.slice(0, file.length - ext.length);
      const cfg = self.Config ?? {};
      if (append.includes('version') && typeof cfg.Version === 'string') base += `-${cfg.Version}`;
      if (append.includes('dc') && typeof cfg.Datacenter === 'string') base += `-${cfg.Datacenter}`;
      if (append.includes('node') && typeof cfg.NodeName === 'string') base += `-${cfg.NodeName}`;
      const consulStats = self.Stats?.consul as Record<string, unknown> | undefined;
      if (append.includes('status') && consulStats && 'leader' in consulStats) {
        base += consulStats.leader === 'true' ? '-leader' : '-follower';
      }
      file = base + ext;
    }
    let snap;
    try {
      snap = await client.snapshot.save({ allowStale: flags.stale });
    } catch (e) {
      return this.fail(`Error saving snapshot: ${this.message(e)}`);
    }
    // Write beside the target first, verify what landed on disk, then rename into place.
    const unverified = `${file}.unverified`;
    try {
      try {
        await writeFile(unverified, snap.data, { mode: 0o600 });
      } catch (e) {
        return this.fail(`Error writing unverified snapshot file: ${this.message(e)}`);
      }
      try {
        const { readArchive } = await import('../../core/snapshot/index.js');
        await readArchive(await readFile(unverified));
      } catch (e) {
        return this.fail(`Error verifying snapshot file: ${this.message(e)}`);
      }
      try {
        await rename(unverified, file);
      } catch (e) {
        return this.fail(`Error renaming "${unverified}" to "${file}": ${this.message(e)}`);
      }
    } finally {
      await rm(unverified, { force: true });
    }
    this.out(`Saved and verified snapshot to index ${snap.meta.lastIndex}`);
    return 0;
  }
}
