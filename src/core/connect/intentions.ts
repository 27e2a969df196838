// Intention matching in one place: precedence, match ordering and the allow/deny decision, shared
// by the HTTP API (match/check/authorize), the CLI's view and the proxy (Consul:
// agent/structs/intention.go UpdatePrecedence and IntentionPrecedenceSorter,
// agent/consul/state/intention.go IntentionMatch, agent/connect_auth.go ConnectAuthorize).
//
// Intentions are stored as `service-intentions` config entries (Consul >= 1.9): one entry per
// destination, one source per intention. This module turns entries into the API's Intention list.
import type { ConfigEntry, Intention, SourceIntention } from '../structs/connect.js';

export const WILDCARD = '*';

/**
 * Consul: Intention.UpdatePrecedence. Namespaces are always exact here (OSS: "default"), so a
 * side counts 2 exact parts for a name and 1 for `*`; the destination sets the band (9 or 6),
 * the source the place within it. Consul's docs' table, OSS rows:
 *   exact => exact 9, * => exact 8, exact => * 6, * => * 5.
 */
export function intentionPrecedence(source: string, destination: string): number {
  const exact = (name: string): number => (name === WILDCARD ? 1 : 2); // namespace is always exact in OSS
  const max = exact(destination) === 2 ? 9 : 6;
  return max - (2 - exact(source));
}

/** Consul: structs.Intention.String (what authorize's Reason quotes). */
export function intentionString(ixn: Intention): string {
  const idPart = ixn.ID ? `ID: ${ixn.ID}, ` : '';
  const detail = ixn.Permissions && ixn.Permissions.length > 0 ? `Permissions: ${ixn.Permissions.length}` : `Action: ${ixn.Action.toUpperCase()}`;
  return `${ixn.SourceName} => ${ixn.DestinationName} (${idPart}Precedence: ${ixn.Precedence}, ${detail})`;
}

/** The intentions of one service-intentions entry, in its sources' order. */
export function intentionsOfEntry(entry: ConfigEntry): Intention[] {
  const sources = (entry.Sources as SourceIntention[] | undefined) ?? [];
  return sources.map((s) => {
    // Consul's field order: ID, Description, names, SourceType, Action, Permissions, Meta, Precedence, indexes, times.
    const ixn: Intention = {
      ...(s.LegacyID ? { ID: s.LegacyID } : {}),
      ...(s.Description ? { Description: s.Description } : {}),
      SourceName: s.Name,
      DestinationName: entry.Name,
      SourceType: s.Type || 'consul',
      Action: s.Action ?? '',
      ...(s.Permissions && s.Permissions.length > 0 ? { Permissions: s.Permissions } : {}),
      ...(s.LegacyMeta && Object.keys(s.LegacyMeta).length > 0 ? { Meta: s.LegacyMeta } : {}),
      Precedence: intentionPrecedence(s.Name, entry.Name),
      CreateIndex: entry.CreateIndex,
      ModifyIndex: entry.ModifyIndex,
    };
    if (s.LegacyCreateTime) ixn.CreatedAt = s.LegacyCreateTime;
    if (s.LegacyUpdateTime) ixn.UpdatedAt = s.LegacyUpdateTime;
    return ixn;
  });
}

/**
 * Consul's IntentionPrecedenceSorter: higher precedence first; at equal precedence deny before
 * allow (so a deny wins a tie), then by names for a stable order.
 */
export function sortByPrecedence(list: Intention[]): Intention[] {
  const deny = (i: Intention): number => (i.Action === 'deny' ? 0 : 1);
  return list.sort(
    (a, b) =>
      b.Precedence - a.Precedence ||
      deny(a) - deny(b) ||
      a.SourceName.localeCompare(b.SourceName) ||
      a.DestinationName.localeCompare(b.DestinationName),
  );
}

export type MatchType = 'source' | 'destination';

/** Intentions that apply to `name` as a source or destination (exact or wildcard), by precedence. */
export function matchIntentions(all: readonly Intention[], type: MatchType, name: string): Intention[] {
  const field = (i: Intention): string => (type === 'destination' ? i.DestinationName : i.SourceName);
  return sortByPrecedence(all.filter((i) => field(i) === name || field(i) === WILDCARD));
}

export interface Decision {
  readonly allowed: boolean;
  readonly reason: string;
  readonly matched: Intention | undefined;
}

/**
 * Decide a connection from `source` to the destination whose matches are given (already sorted):
 * the first intention whose source matches decides; L7 intentions count as deny at L4, as in
 * Consul's built-in authorize. No match: allowed by default while ACLs are off.
 */
export function decide(destinationMatches: readonly Intention[], source: string, defaultAllow: boolean, aclsEnabled: boolean): Decision {
  const hit = destinationMatches.find((i) => i.SourceName === source || i.SourceName === WILDCARD);
  if (hit) {
    if (hit.Permissions && hit.Permissions.length > 0) return { allowed: false, reason: `Matched L7 intention: ${intentionString(hit)}`, matched: hit };
    return { allowed: hit.Action === 'allow', reason: `Matched L4 intention: ${intentionString(hit)}`, matched: hit };
  }
  if (!aclsEnabled) return { allowed: true, reason: 'ACLs disabled, access is allowed by default', matched: undefined };
  return { allowed: defaultAllow, reason: 'Default behavior configured by ACLs', matched: undefined };
}
