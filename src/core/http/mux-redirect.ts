// Go's net/http ServeMux request sanitizing, which answers before any Consul handler runs
// (Consul: agent/http.go registers every endpoint on an http.ServeMux; Consul 1.21 is built with
// Go 1.23, so this is the Go 1.22+ mux, ServeMux.findHandler and matchOrRedirect):
//
// - a path with `//`, `.` or `..` segments gets 301 to the cleaned path (path.Clean, trailing
//   slash kept), query string kept as sent, for every method: a PUT to /v1/kv//a writes nothing;
// - a path naming a subtree pattern without its trailing slash (/v1/kv) gets 301 to it (/v1/kv/).
//
// Go cleans the *escaped* path (r.URL.EscapedPath()), so %2F and %2E are not separators or dots,
// and then builds the Location with url.URL{Path: cleaned}.String(), which escapes the escaped
// path once more (%20 -> %2520; golang/go#79897, fixed after Go 1.26). Real Consul 1.21 answers
// that Location, so we do too. The trailing-slash redirect starts from the unescaped path and is
// escaped once.
//
// Pure: no I/O. The server writes the answer (see http.Redirect for its exact shape).

/** Bytes Go's url.shouldEscape(c, encodePath) leaves alone besides ASCII letters and digits. */
const PATH_SAFE = new Set('-_.~$&+,/:;=@');
/** Bytes validEncoded accepts on top of those (sub-delims, gen-delims left alone by browsers, %). */
const VALID_ENCODED_EXTRA = new Set("!'()*[]%");

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function shouldEscape(c: number): boolean {
  return !isAlnum(c) && !PATH_SAFE.has(String.fromCharCode(c));
}

/** Go's url.escape(s, encodePath) over bytes: %XX with upper-case hex. */
export function escapePathBytes(bytes: Uint8Array): string {
  let out = '';
  for (const c of bytes) out += shouldEscape(c) ? '%' + c.toString(16).toUpperCase().padStart(2, '0') : String.fromCharCode(c);
  return out;
}

/** Go's url.unescape(s, encodePath): bytes, or undefined for a malformed %-escape. */
export function unescapePath(s: string): Uint8Array | undefined {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x25) {
      out.push(c & 0xff);
      continue;
    }
    const hex = s.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
    out.push(parseInt(hex, 16));
    i += 2;
  }
  return Uint8Array.from(out);
}

function validEncoded(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (VALID_ENCODED_EXTRA.has(s[i] as string)) continue;
    if (c > 0x7f || shouldEscape(c)) return false;
  }
  return true;
}

/** r.URL.EscapedPath() for a raw request path: as sent when it is a valid encoding, else re-escaped. */
export function goEscapedPath(rawPath: string): string | undefined {
  const bytes = unescapePath(rawPath);
  if (!bytes) return undefined;
  return validEncoded(rawPath) ? rawPath : escapePathBytes(bytes);
}

/** Go's path.Clean for a rooted path: no empty or `.` segments, `..` resolved (not above root). */
function cleanRooted(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

/** net/http cleanPath: rooted, cleaned, trailing slash kept. */
export function cleanPath(p: string): string {
  if (p === '') return '/';
  const rooted = p.startsWith('/') ? p : '/' + p;
  const np = cleanRooted(rooted);
  return rooted.endsWith('/') && np !== '/' ? np + '/' : np;
}

/** The unescaped path as a string of byte-valued chars (the caller checked the escapes). */
function unescapeLatin1(s: string): string {
  return Buffer.from(unescapePath(s) ?? new Uint8Array()).toString('latin1');
}

function latin1Bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (ch) => ch.charCodeAt(0) & 0xff);
}

/** url.URL{Path, RawQuery}.String() for a path that starts with '/'. */
function urlString(path: string, rawQuery: string): string {
  return escapePathBytes(latin1Bytes(path)) + (rawQuery === '' ? '' : '?' + rawQuery);
}

/**
 * The Location ServeMux redirects a request target to, or undefined when it routes it as is.
 * `isBareSubtree(path)` says whether `path + '/'` is a subtree route and `path` itself no route
 * (an unescaped, cleaned path); that is the /tree -> /tree/ redirect.
 */
export function muxRedirect(target: string, isBareSubtree: (path: string) => boolean): string | undefined {
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  if (!rawPath.startsWith('/')) return undefined; // `*` and absolute-form targets are left to the router
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  // Fast path: escaping never adds or removes '/' or '.', so without '%', '//' or '/.' the
  // cleaned path equals the escaped one.
  const mayNeedCleaning = rawPath.includes('%') || rawPath.includes('//') || rawPath.includes('/.');
  const escaped = mayNeedCleaning ? goEscapedPath(rawPath) : rawPath;
  if (escaped === undefined) return undefined; // malformed escape: the router answers 400
  const cleaned = mayNeedCleaning ? cleanPath(escaped) : escaped;
  if (!cleaned.endsWith('/') && isBareSubtree(cleaned.includes('%') ? unescapeLatin1(cleaned) : cleaned)) {
    // matchOrRedirect: Path = cleanPath(r.URL.Path) + "/", escaped once by String().
    return urlString(cleanPath(unescapeLatin1(rawPath)) + '/', rawQuery);
  }
  if (cleaned === escaped) return undefined;
  return urlString(cleaned, rawQuery);
}

/** http.Redirect's answer: Location, and for GET/HEAD an HTML content type; GET gets a short body. */
export function redirectResponse(method: string, location: string): { status: 301; headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = { Location: location };
  let body = '';
  if (method === 'GET' || method === 'HEAD') headers['Content-Type'] = 'text/html; charset=utf-8';
  // fmt.Fprintln of `<a href="...">Moved Permanently</a>.\n` (two newlines in all).
  if (method === 'GET') body = `<a href="${htmlEscape(location)}">Moved Permanently</a>.\n\n`;
  return { status: 301, headers, body };
}

/** Go's net/http htmlReplacer. */
function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c] as string);
}
