// Question name -> what is being asked (Consul: agent/dns.go dispatch, agent/dns/parser.go).
//
// Names are matched case-insensitively: the caller passes the lower-cased name without its trailing
// dot. Inside the domain the labels are scanned right to left for the first keyword (`node`,
// `service`, `addr`, ...); everything left of it is the subject (a node name may contain dots, a
// service tag is every label before the service joined with `.`), everything right of it the
// locality (`<dc>`, or `<value>.<key>` pairs such as `dc1.dc`).
//
// Pure: no I/O; every shape not understood is `invalid` (the server answers NXDOMAIN).

export type ParsedName =
  | { kind: 'outside' }
  | { kind: 'apex'; domain: string }
  | { kind: 'invalid'; domain: string }
  | { kind: 'node'; domain: string; dc: string; node: string }
  | { kind: 'service'; domain: string; dc: string; service: string; tag: string | undefined }
  | { kind: 'addr'; domain: string; dc: string; hex: string }
  | { kind: 'ptr'; domain: string; ip: string }
  | { kind: 'unsupported'; domain: string; dc: string; keyword: string; subject: string };

export interface NameContext {
  readonly domain: string;
  readonly altDomain: string;
  readonly datacenter: string;
}

const KEYWORDS = new Set(['node', 'service', 'addr', 'query', 'connect', 'ingress', 'virtual']);
/** Locality keys of `<value>.<key>` pairs; only `dc` and the default ns/partition exist here. */
const LOCALITY_KEYS = new Set(['dc', 'ns', 'ap', 'peer', 'sg']);

/** Which served domain holds `name` (the longest one), and the labels left of it. */
export function matchDomain(name: string, ctx: NameContext): { domain: string; labels: string[] } | undefined {
  const domains = ctx.altDomain !== '' && ctx.altDomain.length > ctx.domain.length ? [ctx.altDomain, ctx.domain] : [ctx.domain, ctx.altDomain];
  for (const d of domains) {
    if (d === '') continue;
    if (name === d) return { domain: d, labels: [] };
    if (name.endsWith('.' + d)) return { domain: d, labels: name.slice(0, name.length - d.length - 1).split('.') };
  }
  return undefined;
}

/** The datacenter named by the labels after the keyword; undefined when they make no sense. */
export function parseLocality(after: readonly string[], localDc: string): string | undefined {
  if (after.length === 0) return localDc;
  if (after.length === 1) return after[0];
  if (after.length % 2 !== 0) return undefined;
  let dc = localDc;
  for (let i = 0; i < after.length; i += 2) {
    const value = after[i] as string;
    const key = after[i + 1] as string;
    if (!LOCALITY_KEYS.has(key)) return undefined;
    if (key === 'dc') dc = value;
    // Community edition: only the default namespace / partition exist; no peers or sameness groups.
    else if ((key === 'ns' || key === 'ap') && value !== 'default') return undefined;
    else if (key === 'peer' || key === 'sg') return undefined;
  }
  return dc;
}

export function parseName(name: string, isSrv: boolean, ctx: NameContext): ParsedName {
  if (name.endsWith('.arpa')) return parsePtr(name, ctx.domain);
  const m = matchDomain(name, ctx);
  if (!m) return { kind: 'outside' };
  const { domain, labels } = m;
  if (labels.length === 0) return { kind: 'apex', domain };
  let at = -1;
  for (let i = labels.length - 1; i > 0; i--) {
    if (KEYWORDS.has(labels[i] as string)) {
      at = i;
      break;
    }
  }
  if (at < 0) return isSrv ? rfc2782(labels, domain, ctx) : { kind: 'invalid', domain };
  const keyword = labels[at] as string;
  const head = labels.slice(0, at);
  const dc = parseLocality(labels.slice(at + 1), ctx.datacenter);
  if (dc === undefined || head.some((l) => l === '')) return { kind: 'invalid', domain };
  switch (keyword) {
    case 'node':
      return { kind: 'node', domain, dc, node: head.join('.') };
    case 'service':
      if (head.length === 2 && isUnderscored(head[0]) && isUnderscored(head[1])) return rfc2782Service(head, domain, dc);
      return { kind: 'service', domain, dc, service: head[head.length - 1] as string, tag: head.length > 1 ? head.slice(0, -1).join('.') : undefined };
    case 'addr':
      return head.length === 1 ? { kind: 'addr', domain, dc, hex: head[0] as string } : { kind: 'invalid', domain };
    default:
      return { kind: 'unsupported', domain, dc, keyword, subject: head.join('.') };
  }
}

const isUnderscored = (l: string | undefined): boolean => l !== undefined && l.length > 1 && l.charCodeAt(0) === 95;

function rfc2782Service(head: readonly string[], domain: string, dc: string): ParsedName {
  const service = (head[0] as string).slice(1);
  const tag = (head[1] as string).slice(1);
  // RFC 2782: `_tcp` is the protocol, not a tag filter.
  return { kind: 'service', domain, dc, service, tag: tag === 'tcp' ? undefined : tag };
}

/** `_<service>._<tag>[.<dc>]` without the `service` keyword: allowed for SRV questions only. */
function rfc2782(labels: readonly string[], domain: string, ctx: NameContext): ParsedName {
  if (labels.length < 2 || !isUnderscored(labels[0]) || !isUnderscored(labels[1])) return { kind: 'invalid', domain };
  const dc = parseLocality(labels.slice(2), ctx.datacenter);
  if (dc === undefined) return { kind: 'invalid', domain };
  return rfc2782Service(labels.slice(0, 2), domain, dc);
}

/** `4.3.2.1.in-addr.arpa` / nibble-reversed `.ip6.arpa` -> the address; PTR answers use the primary domain. */
function parsePtr(name: string, domain: string): ParsedName {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) < 256)) return { kind: 'outside' };
    return { kind: 'ptr', domain, ip: parts.reverse().join('.') };
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return { kind: 'outside' };
    const hex = nibbles.reverse().join('');
    return { kind: 'ptr', domain, ip: hexToIp(hex) ?? '' };
  }
  return { kind: 'outside' };
}

/** 8 hex digits -> dotted IPv4, 32 -> canonical IPv6 text; undefined otherwise. */
export function hexToIp(hex: string): string | undefined {
  if (!/^[0-9a-f]+$/i.test(hex)) return undefined;
  if (hex.length === 8) return [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');
  if (hex.length === 32) {
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(parseInt(hex.slice(i, i + 4), 16).toString(16));
    return compressIpv6(groups);
  }
  return undefined;
}

function compressIpv6(groups: string[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
