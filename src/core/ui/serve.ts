// Serving the web UI (Consul: agent/http.go handleIndex + agent/uiserver): `/` redirects to the
// content path when the UI is on; everything under the content path is a file of the UI, and
// any path that is not a file (a deep link such as /ui/dc1/kv/app/) gets index.html, whose
// client-side router shows the page.
//
// Caching: hashed files under assets/ never change, so they are `immutable` for a year; index.html
// is revalidated every time (`no-cache`) through its ETag, so a new build is picked up at once.
import type { Reply, RequestContext } from '../http/context.js';
import type { ApiDeps } from '../http/deps.js';
import type { UIConfigRuntime } from '../config/runtime.js';
import { AssetStore, BUILTIN_UI_DIR, chooseEncoding } from './assets.js';

/** The text Consul answers on `/` when the UI is off. */
const AGENT_BANNER = 'Consul Agent';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** The UI as one agent serves it, built from its config on first use. */
interface UiSite {
  readonly key: string;
  readonly contentPath: string;
  readonly store: AssetStore | undefined;
}

const sites = new WeakMap<ApiDeps, UiSite>();

/** Consul serves the UI when it is enabled or a dir is given (builder.go: UIConfig.Enabled || Dir). */
export function isUiServed(ui: UIConfigRuntime): boolean {
  return ui.enabled || ui.dir !== '';
}

/** Consul keeps the content path with one leading and one trailing slash. */
export function normalizeContentPath(p: string): string {
  const trimmed = p.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '/' : `/${trimmed}/`;
}

function siteFor(deps: ApiDeps): UiSite {
  const ui = deps.config.uiConfig;
  const key = `${isUiServed(ui)}|${ui.dir}|${ui.contentPath}`;
  const cached = sites.get(deps);
  if (cached && cached.key === key) return cached;
  const contentPath = normalizeContentPath(ui.contentPath);
  let store: AssetStore | undefined;
  if (ui.dir !== '') store = new AssetStore(ui.dir);
  else if (ui.enabled) store = new AssetStore(BUILTIN_UI_DIR, (rel, text) => (rel === 'index.html' ? fillIndex(text, contentPath, deps) : undefined));
  const site = { key, contentPath, store };
  sites.set(deps, site);
  return site;
}

/** The built-in index.html names its assets relative to the content path and carries the agent's settings. */
function fillIndex(text: string, contentPath: string, deps: ApiDeps): string {
  const settings = { contentPath, datacenter: deps.config.datacenter, aclsEnabled: false };
  const json = JSON.stringify(settings).replace(/</g, '\\u003c');
  return text.replaceAll('__CONTENT_PATH__/', contentPath).replace('__UI_SETTINGS__', encodeURIComponent(json));
}

/**
 * Every path the API table does not own. `path` is the decoded request path.
 * Answers 404 with an empty body for anything that is not `/` or under the content path.
 */
export async function serveUi(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const path = ctx.tail;
  const site = siteFor(deps);
  const isRead = ctx.method === 'GET' || ctx.method === 'HEAD';
  if (path === '/' && !(site.store && site.contentPath === '/')) {
    // Consul (handleIndex): any method; 301 to the content path when the UI is on, else a banner.
    if (site.store) return { status: 301, raw: '', headers: { Location: site.contentPath } };
    return { status: 200, raw: AGENT_BANNER, contentType: 'text/plain; charset=utf-8' };
  }
  if (!site.store) return { status: 404, raw: '' };
  const prefix = site.contentPath.slice(0, -1);
  if (prefix !== '' && path === prefix) return { status: 301, raw: '', headers: { Location: site.contentPath } };
  if (!path.startsWith(site.contentPath)) return { status: 404, raw: '' };
  if (!isRead) return { status: 405, raw: '', headers: { Allow: 'GET, HEAD' } };
  const rel = path.slice(site.contentPath.length);
  const entry = (rel !== '' ? await site.store.get(rel) : undefined) ?? (await site.store.get('index.html'));
  if (!entry) return { status: 404, raw: '' };
  const acceptEncoding = ctx.req.headers['accept-encoding'];
  const enc = chooseEncoding(typeof acceptEncoding === 'string' ? acceptEncoding : undefined);
  const { body, etag } = site.store.variant(entry, enc);
  const isHashed = rel.startsWith('assets/') && /[-.][A-Za-z0-9_]{8,}\.[a-z0-9]+$/.test(rel);
  const headers: Record<string, string> = {
    ETag: etag,
    'Cache-Control': isHashed ? IMMUTABLE : REVALIDATE,
    'X-Content-Type-Options': 'nosniff',
  };
  if (entry.asset.compressible) headers.Vary = 'Accept-Encoding';
  if (body !== entry.asset.body) headers['Content-Encoding'] = enc;
  if (etagMatches(ctx.req.headers['if-none-match'], etag)) return { status: 304, raw: '', headers };
  return { status: 200, raw: body, contentType: entry.asset.contentType, headers };
}

function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  if (typeof header !== 'string') return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
