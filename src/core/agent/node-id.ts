// The node ID: from config, else `<data-dir>/node-id` (created once, as Consul does), else random.
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { goPathError } from '../support/go-errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class NodeIdError extends Error {}

export async function resolveNodeId(configured: string, dataDir: string): Promise<string> {
  if (configured !== '') {
    if (!UUID.test(configured)) throw new NodeIdError(`node ID is not a valid UUID: ${configured}`);
    return configured.toLowerCase();
  }
  if (dataDir === '') return randomUUID();
  const file = path.join(dataDir, 'node-id');
  try {
    const id = (await fs.readFile(file, 'utf8')).trim();
    if (!UUID.test(id)) throw new NodeIdError(`node ID in ${file} is not a valid UUID: ${id}`);
    return id.toLowerCase();
  } catch (err) {
    if (err instanceof NodeIdError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new NodeIdError(goPathError('open', file, err));
  }
  const id = randomUUID();
  try {
    await fs.writeFile(file, id, { mode: 0o600 });
  } catch (err) {
    throw new NodeIdError(`failed to write NodeID to disk: ${goPathError('open', file, err)}`);
  }
  return id;
}
