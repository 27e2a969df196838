// peers.json, Consul's manual outage recovery file (`<data-dir>/raft/peers.json`, Raft protocol 3
// format): `[{"id": "<node-id>", "address": "<ip>:<port>", "non_voter": false}, ...]`.
//
// MUST: a file that does not parse, or describes an unusable configuration (empty or duplicate
// ids/addresses, bad address, no voter), is refused with PeersJsonError; the driver then fails to
// start rather than guess (hashicorp/raft ReadConfigJSON + checkConfiguration rules).
import { promises as fs } from 'node:fs';
import { normalizeConf } from './core/index.js';
import type { ConfState, NodeId } from './core/types.js';
import { parseAddr } from '../rpc/addr.js';

export const PEERS_JSON = 'peers.json';

export interface RecoveredPeer {
  readonly id: NodeId;
  /** The server's RPC address, "host:port". */
  readonly address: string;
  readonly nonVoter: boolean;
}

export interface PeersJson {
  readonly conf: ConfState;
  readonly peers: readonly RecoveredPeer[];
}

export class PeersJsonError extends Error {
  constructor(file: string, why: string) {
    super(`raft: malformed ${file}: ${why}`);
    this.name = 'PeersJsonError';
  }
}

/** Parses the text of a peers.json file. Throws PeersJsonError. */
export function parsePeersJson(text: string, file = PEERS_JSON): PeersJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new PeersJsonError(file, `not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new PeersJsonError(file, 'expected a JSON array of {"id", "address", "non_voter"} objects');
  if (parsed.length > 0 && parsed.every((p) => typeof p === 'string')) {
    throw new PeersJsonError(file, 'this is the Raft protocol 2 format (a list of addresses); protocol 3 needs {"id", "address", "non_voter"} objects');
  }
  const peers: RecoveredPeer[] = [];
  const ids = new Set<string>();
  const addrs = new Set<string>();
  parsed.forEach((p: unknown, i) => {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new PeersJsonError(file, `entry ${i} is not an object`);
    const { id, address, non_voter: nonVoter } = p as Record<string, unknown>;
    if (typeof id !== 'string' || id === '') throw new PeersJsonError(file, `entry ${i}: peer ID cannot be empty`);
    if (typeof address !== 'string' || address === '') throw new PeersJsonError(file, `entry ${i}: peer address cannot be empty`);
    if (!parseAddr(address)) throw new PeersJsonError(file, `entry ${i}: address "${address}" is not host:port`);
    if (nonVoter !== undefined && typeof nonVoter !== 'boolean') throw new PeersJsonError(file, `entry ${i}: non_voter must be true or false`);
    if (ids.has(id)) throw new PeersJsonError(file, `found duplicate ID in configuration: ${id}`);
    if (addrs.has(address)) throw new PeersJsonError(file, `found duplicate address in configuration: ${address}`);
    ids.add(id);
    addrs.add(address);
    peers.push({ id, address, nonVoter: nonVoter === true });
  });
  const voters = peers.filter((p) => !p.nonVoter).map((p) => p.id);
  if (voters.length === 0) throw new PeersJsonError(file, 'need at least one voter in configuration');
  const learners = peers.filter((p) => p.nonVoter).map((p) => p.id);
  return { conf: normalizeConf({ voters, learners }), peers };
}

/** Reads and parses `file`; undefined when it does not exist. Throws PeersJsonError. */
export async function readPeersJson(file: string): Promise<PeersJson | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PeersJsonError(file, `cannot read: ${(err as Error).message}`);
  }
  return parsePeersJson(text, file);
}
