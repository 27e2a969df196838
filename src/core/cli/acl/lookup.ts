// The helpers the Go ACL commands share (command/acl/acl_helpers.go, command/helpers/helpers.go):
// resolving a unique ID prefix or a name to an ID, loading `@file` / `-` data sources, and parsing
// -service-identity / -node-identity values. Error texts are Consul's.
import { readFile } from 'node:fs/promises';
import type { AclApi, AclNodeIdentity, AclServiceIdentity } from '../../client/acl.js';
import { describeFsError } from '../../client/errors.js';

/** structs.ACLPolicyGlobalManagementID and acl.AnonymousTokenID. */
export const GLOBAL_MANAGEMENT_POLICY_ID = '00000000-0000-0000-0000-000000000001';
export const ANONYMOUS_TOKEN_ID = '00000000-0000-0000-0000-000000000002';

function uniquePrefix(ids: readonly string[], prefix: string, what: string, notFound: string): string {
  let found = '';
  for (const id of ids) {
    if (!id.startsWith(prefix)) continue;
    if (found !== '') throw new Error(`Partial ${what} ID is not unique`);
    found = id;
  }
  if (found === '') throw new Error(`${notFound}: ${prefix}`);
  return found;
}

export async function tokenAccessorIdFromPartial(acl: AclApi, partial: string): Promise<string> {
  if (partial === 'anonymous') return ANONYMOUS_TOKEN_ID;
  if (partial.length === 36) return partial;
  const ids = (await acl.tokenList()).map((t) => t.AccessorID);
  return uniquePrefix(ids, partial, 'token', 'No such token ID with prefix');
}

export async function policyIdFromPartial(acl: AclApi, partial: string): Promise<string> {
  if (partial === 'global-management') return GLOBAL_MANAGEMENT_POLICY_ID;
  if (partial.length === 36) return partial;
  const ids = (await acl.policyList()).map((p) => p.ID);
  return uniquePrefix(ids, partial, 'policy', 'No such policy ID with prefix');
}

export async function roleIdFromPartial(acl: AclApi, partial: string): Promise<string> {
  if (partial.length === 36) return partial;
  const ids = (await acl.roleList()).map((r) => r.ID);
  return uniquePrefix(ids, partial, 'role', 'No such role ID with prefix');
}

/** GetPolicyByName: a missing policy is an error (the api answers nil, the helper words it). */
export async function policyIdByName(acl: AclApi, name: string): Promise<string> {
  if (name === '') throw new Error('No name specified');
  let policy;
  try {
    policy = await acl.policyReadByName(name);
  } catch (e) {
    throw new Error(`Failed to find policy with name ${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!policy) throw new Error(`No such policy with name ${name}`);
  return policy.ID;
}

export async function roleIdByName(acl: AclApi, name: string): Promise<string> {
  if (name === '') throw new Error('No name specified');
  const role = (await acl.roleList()).find((r) => r.Name === name);
  if (!role) throw new Error(`No such role with name ${name}`);
  return role.ID;
}

async function loadFromFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`Failed to read file: ${describeFsError(e, path)}`);
  }
}

async function loadFromStdin(stdin: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  } catch (e) {
    throw new Error(`Failed to read stdin: ${e instanceof Error ? e.message : String(e)}`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** helpers.LoadDataSource: `@path` reads a file, a lone `-` reads stdin, anything else is the value. */
export async function loadDataSource(data: string, stdin: AsyncIterable<unknown> = process.stdin): Promise<string> {
  if (data === '') return '';
  if (data.startsWith('@')) return loadFromFile(data.slice(1));
  if (data === '-') return loadFromStdin(stdin);
  return data;
}

/** helpers.LoadDataSourceNoRaw: a file path or `-`; never the raw value. */
export async function loadDataSourceNoRaw(data: string, stdin: AsyncIterable<unknown> = process.stdin): Promise<string> {
  if (data === '') throw new Error("Failed to load data: must specify a file path or '-' for stdin");
  if (data === '-') return loadFromStdin(stdin);
  return loadFromFile(data);
}

export function extractServiceIdentities(raw: readonly string[]): AclServiceIdentity[] {
  return raw.map((s) => {
    const parts = s.split(':');
    if (parts.length === 1) return { ServiceName: parts[0]! };
    if (parts.length === 2) return { ServiceName: parts[0]!, Datacenters: parts[1]!.split(',') };
    throw new Error(`Malformed -service-identity argument: ${JSON.stringify(s)}`);
  });
}

export function extractNodeIdentities(raw: readonly string[]): AclNodeIdentity[] {
  return raw.map((s) => {
    const parts = s.split(':');
    if (parts.length === 2) return { NodeName: parts[0]!, Datacenter: parts[1]! };
    throw new Error(`Malformed -node-identity argument: ${JSON.stringify(s)}`);
  });
}
