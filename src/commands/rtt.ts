import { Flags } from '@oclif/core';
import { BaseCommand } from '../core/cli/base-command.js';
import { clientFlags } from '../core/cli/flags.js';
import { commandHelpText } from '../core/cli/self-help.js';
import { distanceSeconds, type Coordinate } from '../core/gossip/serf/coordinate.js';

export default class Rtt extends BaseCommand {
  static override summary = 'Estimates network round trip time between nodes';
  static override description = `
Usage: consul rtt [options] node1 [node2]

  Estimates the round trip time between two nodes using Consul's network
  coordinate model of the cluster.

  At least one node name is required. If the second node name isn't given, it
  is set to the agent's node name. Note that these are node names as known to
  Consul as "consul members" would show, not IP addresses.

  By default, the two nodes are assumed to be nodes in the local datacenter
  and the LAN coordinates are used. If the -wan option is given, then the WAN
  coordinates are used, and the node names must be suffixed by a period and
  the datacenter (eg. "myserver.dc1").

  It is not possible to measure between LAN coordinates and WAN coordinates
  because they are maintained by independent Serf gossip areas, so they are
  not compatible.
`;
  static override flags = {
    ...clientFlags,
    wan: Flags.boolean({ description: 'Use WAN coordinates instead of LAN coordinates.', default: false }),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(Rtt.flags);
    const nodes = [...argv];
    if (nodes.length < 1 || nodes.length > 2) {
      this.err('One or two node names must be specified');
      this.err('');
      this.err(commandHelpText(this.config, 'rtt'));
      return 1;
    }
    const client = this.api(flags);
    if (!client) return 1;
    let c1: Coordinate | undefined;
    let c2: Coordinate | undefined;
    const source = flags.wan ? 'WAN' : 'LAN';
    const eq = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
    if (flags.wan) {
      if (nodes.length < 2) {
        try {
          const self = await client.agent.self();
          nodes.push(`${String(self.Config?.['NodeName'] ?? '')}.${String(self.Config?.['Datacenter'] ?? '')}`);
        } catch (e) {
          return this.fail(`Unable to look up agent info: ${this.message(e)}`);
        }
      }
      const p1 = (nodes[0] as string).split('.');
      const p2 = (nodes[1] as string).split('.');
      if (p1.length !== 2 || p2.length !== 2) return this.fail('Node names must be specified as <node name>.<datacenter> with -wan');
      let maps;
      try {
        maps = await client.coordinate.datacenters();
      } catch (e) {
        return this.fail(`Error getting coordinates: ${this.message(e)}`);
      }
      // WAN members are named <node>.<dc>; accept the entry under either spelling.
      const find = ([node, dc]: string[]): Coordinate | undefined =>
        maps.find((m) => m.Datacenter === dc)?.Coordinates.find((e) => eq(e.Node, `${node}.${dc}`) || eq(e.Node, node as string))?.Coord;
      c1 = find(p1);
      c2 = find(p2);
    } else {
      if (nodes.length < 2) {
        try {
          nodes.push(await client.agent.nodeName());
        } catch (e) {
          return this.fail(`Unable to look up agent info: ${this.message(e)}`);
        }
      }
      let entries;
      try {
        entries = await client.coordinate.nodes();
      } catch (e) {
        return this.fail(`Error getting coordinates: ${this.message(e)}`);
      }
      // lib.CoordinateSet.Intersect: the default segment, unless a node has exactly one segment
      // (a client agent), whose segment then wins; servers are in every segment.
      const seg = (node: string): Map<string, Coordinate> => new Map(entries.filter((e) => eq(e.Node, node)).map((e) => [e.Segment, e.Coord]));
      const s1 = seg(nodes[0] as string);
      const s2 = seg(nodes[1] as string);
      let segment = '';
      if (s1.size === 1) segment = s1.keys().next().value as string;
      if (s2.size === 1) segment = s2.keys().next().value as string;
      c1 = s1.get(segment);
      c2 = s2.get(segment);
    }
    if (!c1) return this.fail(`Could not find a coordinate for node ${JSON.stringify(nodes[0])}`);
    if (!c2) return this.fail(`Could not find a coordinate for node ${JSON.stringify(nodes[1])}`);
    const ms = (distanceSeconds(c1, c2) * 1000).toFixed(3);
    this.out(`Estimated ${nodes[0]} <-> ${nodes[1]} rtt: ${ms} ms (using ${source} coordinates)`);
    return 0;
  }
}
