import { Flags } from '@oclif/core';
import { parseKeyValues } from '../../core/cli/flag-values.js';
import { BaseCommand } from '../../core/cli/base-command.js';
import { boolFlag, clientFlags, serverFlags, stringFlag } from '../../core/cli/flags.js';
import { tabwrite } from '../../core/cli/tabwriter.js';


/** Go's sort.Strings: byte-wise order. */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

export default class CatalogServices extends BaseCommand {
  static override summary = 'Lists all registered services in a datacenter';
  static override description = `
Usage: consul catalog services [options]

  Retrieves the list of services registered in a datacenter. By default the
  datacenter of the local agent is queried.

  To list the services:

      $ consul catalog services

  To show each service's tags next to it:

      $ consul catalog services -tags

  To list the services that run on a given node:

      $ consul catalog services -node=web

  To filter on node metadata:

      $ consul catalog services -node-meta="foo=bar"

  For a full list of options and examples, please see the Consul documentation.
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    node: stringFlag('Node `id or name` for which to list services.'),
    'node-meta': Flags.string({
      multiple: true,
      helpValue: 'key=value',
      description:
        'Metadata to filter nodes with the given `key=value` pairs. If specified, only services running on nodes matching the given metadata will be returned. This flag may be specified multiple times to filter on multiple sources of metadata.',
    }),
    tags: boolFlag("Display each service's tags as a comma-separated list beside each service entry."),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(CatalogServices.flags);
    const meta = parseKeyValues(flags['node-meta']);
    if ('bad' in meta) return this.badMapFlag('node-meta', meta.bad);
    if (argv.length > 0) return this.fail(`Too many arguments (expected 0, got ${argv.length})`);
    const client = this.api(flags);
    if (!client) return 1;
    const opts = { nodeMeta: meta.map, allowStale: flags.stale };
    let services: Record<string, string[]> = {};
    if (flags.node) {
      try {
        const node = await client.catalog.node(flags.node, opts);
        for (const s of Object.values(node?.Services ?? {})) {
          services[s.Service] = [...(services[s.Service] ?? []), ...(s.Tags ?? [])];
        }
      } catch (e) {
        return this.fail(`Error listing services for node: ${this.message(e)}`);
      }
    } else {
      try {
        services = await client.catalog.services(opts);
      } catch (e) {
        return this.fail(`Error listing services: ${this.message(e)}`);
      }
    }
    const names = Object.keys(services).sort(byteOrder);
    if (names.length === 0) {
      this.err('No services match the given query - try expanding your search.');
      return 0;
    }
    if (flags.tags) {
      const text = names.map((n) => `${n}\t${[...(services[n] ?? [])].sort(byteOrder).join(',')}\n`).join('');
      this.out(tabwrite(text, { minWidth: 0, padding: 6 }).trim());
    } else {
      for (const n of names) this.out(n);
    }
    return 0;
  }
}
