// Picking the members a query answer is relayed through (serf's kRandomMembers): up to k distinct
// members, drawn at random with at most 3n draws, skipping the ones the filter rejects.
import type { Rng } from '../../support/rng.js';
import type { SerfMember } from './types.js';

export function kRandomMembers(
  k: number,
  members: readonly SerfMember[],
  rng: Rng,
  reject: (m: SerfMember) => boolean,
): SerfMember[] {
  const n = members.length;
  const out: SerfMember[] = [];
  for (let i = 0; i < 3 * n && out.length < k; i++) {
    const m = members[rng.int(n)] as SerfMember;
    if (reject(m)) continue;
    if (out.some((o) => o.name === m.name)) continue;
    out.push(m);
  }
  return out;
}
