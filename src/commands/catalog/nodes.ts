import { readFileSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { parseKeyValues } from '../../core/cli/flag-values.js';
import { BaseCommand } from '../../core/cli/base-command.js';
import { COLUMN_DELIM as D, columnize } from '../../core/cli/columnize.js';
import { boolFlag, clientFlags, serverFlags, stringFlag } from '../../core/cli/flags.js';
import type { CatalogNodeEntry } from '../../core/client/index.js';


/** Consul's mapToKV: `k=v` pairs sorted by key. */
function mapToKV(m: Record<string, string> | null | undefined, joiner: string): string {
  if (!m) return '';
  return Object.keys(m)
    .sort()
    .map((k) => `${k}=${m[k]}`)
    .join(joiner);
}

function nodeRows(nodes: readonly CatalogNodeEntry[], detailed: boolean): string[] {
  const rows = [detailed ? ['Node', 'ID', 'Address', 'DC', 'TaggedAddresses', 'Meta'].join(D) : ['Node', 'ID', 'Address', 'DC'].join(D)];
  for (const n of nodes) {
    const id = n.ID ?? '';
    if (detailed) {
      rows.push([n.Node, id, n.Address, n.Datacenter, mapToKV(n.TaggedAddresses, ', '), mapToKV(n.Meta, ', ')].join(D));
    } else {
      // Only the first segment of the UUID.
      const dash = id.indexOf('-');
      rows.push([n.Node, dash > 0 ? id.slice(0, dash) : id, n.Address, n.Datacenter].join(D));
    }
  }
  return rows;
}

export default class CatalogNodes extends BaseCommand {
  static override summary = 'Lists all nodes in the given datacenter';
  static override description = `
Usage: consul catalog nodes [options]

  Retrieves the list of nodes registered in a datacenter. By default the
  datacenter of the local agent is queried.

  To list the nodes:

      $ consul catalog nodes

  To print full node IDs, tagged addresses and metadata:

      $ consul catalog nodes -detailed

  To list only the nodes that run a given service:

      $ consul catalog nodes -service=web

  To filter on node metadata:

      $ consul catalog nodes -node-meta="foo=bar"

  To sort by estimated round-trip time from node-web:

      $ consul catalog nodes -near=node-web

  For a full list of options and examples, please see the Consul documentation.
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    partition: stringFlag(
      "Specifies the admin partition to query. If not provided, the admin partition will be inferred from the request's ACL token, or will default to the `default` admin partition. Admin Partitions are a Consul Enterprise feature.",
    ),
    detailed: boolFlag('Output detailed information about the nodes including their addresses and metadata.'),
    filter: stringFlag('Filter to use with the request'),
    near: stringFlag(
      'Node name to sort the node list in ascending order based on estimated round-trip time from that node. Passing "_agent" will use this agent\'s node for sorting.',
    ),
    'node-meta': Flags.string({
      multiple: true,
      helpValue: 'key=value',
      description:
        'Metadata to filter nodes with the given `key=value` pairs. This flag may be specified multiple times to filter on multiple sources of metadata.',
    }),
    service: stringFlag('Service `id or name` to filter nodes. Only nodes which are providing the given service will be returned.'),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(CatalogNodes.flags);
    const meta = parseKeyValues(flags['node-meta']);
    if ('bad' in meta) return this.badMapFlag('node-meta', meta.bad);
    if (argv.length > 0) return this.fail(`Too many arguments (expected 0, got ${argv.length})`);
    const client = this.api(flags);
    if (!client) return 1;
    let filter = flags.filter ?? '';
    if (filter !== '') {
      try {
        filter = loadDataSource(filter);
      } catch (e) {
        return this.fail(`Could not process filter argument: ${this.message(e)}`);
      }
    }
    const opts = { near: flags.near, nodeMeta: meta.map, filter, allowStale: flags.stale };
    let nodes: CatalogNodeEntry[];
    if (flags.service) {
      try {
        const entries = await client.catalog.service(flags.service, '', opts);
        nodes = entries.map((s) => ({
          ID: s.ID,
          Node: s.Node,
          Address: s.Address,
          Datacenter: s.Datacenter,
          TaggedAddresses: s.TaggedAddresses,
          Meta: s.NodeMeta,
          CreateIndex: s.CreateIndex,
          ModifyIndex: s.ModifyIndex,
        }));
      } catch (e) {
        return this.fail(`Error listing nodes for service: ${this.message(e)}`);
      }
    } else {
      try {
        nodes = await client.catalog.nodes(opts);
      } catch (e) {
        return this.fail(`Error listing nodes: ${this.message(e)}`);
      }
    }
    if (nodes.length === 0) {
      this.err('No nodes match the given query - try expanding your search.');
      return 0;
    }
    this.out(columnize(nodeRows(nodes, flags.detailed)));
    return 0;
  }
}

/** helpers.LoadDataSource: `@file` reads a file, a lone `-` reads stdin, anything else is literal. */
function loadDataSource(data: string): string {
  if (data.startsWith('@')) {
    try {
      return readFileSync(data.slice(1), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const detail = code === 'ENOENT' ? `open ${data.slice(1)}: no such file or directory` : (e as Error).message;
      throw new Error(`Failed to read file: ${detail}`);
    }
  }
  if (data === '-') return readFileSync(0, 'utf8');
  return data;
}
