// L7 intentions for HTTP services (beyond Consul: its built-in proxy ignores them and only Envoy
// enforces them). The permissions of a service-intentions source are tried in order; the first
// whose HTTP match holds decides (Consul: structs.IntentionPermission / IntentionHTTPPermission);
// when none matches the request is denied, as Envoy's RBAC filter does for an L7 intention.

export interface HttpRequestView {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

interface HeaderMatch {
  Name?: string;
  Present?: boolean;
  Exact?: string;
  Prefix?: string;
  Suffix?: string;
  Regex?: string;
  Invert?: boolean;
}

interface HttpMatch {
  PathExact?: string;
  PathPrefix?: string;
  PathRegex?: string;
  Methods?: string[];
  Header?: HeaderMatch[];
}

interface Permission {
  Action?: string;
  HTTP?: HttpMatch;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function fullMatch(re: string, s: string): boolean {
  try {
    return new RegExp(`^(?:${re})$`).test(s);
  } catch {
    return false;
  }
}

function headerMatches(h: HeaderMatch, headers: HttpRequestView['headers']): boolean {
  const raw = headers[(h.Name ?? '').toLowerCase()];
  const v = Array.isArray(raw) ? raw.join(',') : raw;
  let ok: boolean;
  if (h.Exact !== undefined) ok = v === h.Exact;
  else if (h.Prefix !== undefined) ok = v !== undefined && v.startsWith(h.Prefix);
  else if (h.Suffix !== undefined) ok = v !== undefined && v.endsWith(h.Suffix);
  else if (h.Regex !== undefined) ok = v !== undefined && fullMatch(h.Regex, v);
  else ok = v !== undefined; // Present
  return h.Invert ? !ok : ok;
}

function httpMatches(m: HttpMatch, req: HttpRequestView): boolean {
  const path = req.path.split('?')[0] ?? '';
  if (m.PathExact !== undefined && path !== m.PathExact) return false;
  if (m.PathPrefix !== undefined && !path.startsWith(m.PathPrefix)) return false;
  if (m.PathRegex !== undefined && !fullMatch(m.PathRegex, path)) return false;
  if (m.Methods && m.Methods.length > 0 && !m.Methods.map((x) => x.toUpperCase()).includes(req.method.toUpperCase())) return false;
  for (const h of m.Header ?? []) if (!headerMatches(h, req.headers)) return false;
  return true;
}

/** Allowed by the first permission whose match holds; denied when none does. */
export function permissionsAllow(permissions: readonly unknown[], req: HttpRequestView): boolean {
  for (const raw of permissions) {
    if (!isObj(raw)) continue;
    const p = raw as Permission;
    if (httpMatches(p.HTTP ?? {}, req)) return (p.Action ?? '').toLowerCase() === 'allow';
  }
  return false;
}
