// Static files of the web UI: read from a root folder, cached in memory with their ETag and
// gzip/brotli variants (made once per file version, on first request).
//
// MUST: nothing outside the root is ever read (no `..`, no absolute paths, no NUL).
// The built-in root is dist/ui, written by scripts/build-ui.mjs; a user's ui_config.dir is read
// the same way but re-validated by mtime and size, since the user may change files under us.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

/** dist/src/core/ui/assets.js -> dist/ui */
export const BUILTIN_UI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'ui');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt']);
/** Below this size compression costs more than it saves. */
const MIN_COMPRESS_BYTES = 1024;

export type Encoding = 'br' | 'gzip' | 'identity';

export interface Asset {
  readonly body: Buffer;
  readonly etag: string;
  readonly contentType: string;
  readonly compressible: boolean;
}

interface CacheEntry {
  mtimeMs: number;
  size: number;
  asset: Asset;
  variants: Map<Encoding, { body: Buffer; etag: string }>;
}

export class AssetStore {
  private readonly cache = new Map<string, CacheEntry>();

  /**
   * @param root folder served
   * @param transform rewrites a file's text before it is cached (the built-in index.html gets
   *        the content path and settings); returns undefined to leave the file as it is.
   */
  constructor(
    readonly root: string,
    private readonly transform?: (rel: string, text: string) => string | undefined,
  ) {}

  /** The file at `rel` (a path relative to the root, `/`-separated), or undefined if there is none. */
  async get(rel: string): Promise<CacheEntry | undefined> {
    const abs = this.resolve(rel);
    if (!abs) return undefined;
    let st;
    try {
      st = await stat(abs);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const hit = this.cache.get(abs);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
    let body = await readFile(abs);
    const ext = path.extname(abs).toLowerCase();
    const changed = this.transform?.(rel, body.toString('utf8'));
    if (changed !== undefined) body = Buffer.from(changed);
    const entry: CacheEntry = {
      mtimeMs: st.mtimeMs,
      size: st.size,
      asset: { body, etag: etagOf(body), contentType: TYPES[ext] ?? 'application/octet-stream', compressible: COMPRESSIBLE.has(ext) && body.length >= MIN_COMPRESS_BYTES },
      variants: new Map(),
    };
    this.cache.set(abs, entry);
    return entry;
  }

  /** The body and ETag of `entry` in `enc` (compressed once, then kept). */
  variant(entry: CacheEntry, enc: Encoding): { body: Buffer; etag: string } {
    if (enc === 'identity' || !entry.asset.compressible) return { body: entry.asset.body, etag: entry.asset.etag };
    let v = entry.variants.get(enc);
    if (!v) {
      const body =
        enc === 'br'
          ? brotliCompressSync(entry.asset.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: entry.asset.body.length } })
          : gzipSync(entry.asset.body, { level: 9 });
      // A distinct ETag per representation (RFC 9110 §8.8.3), so caches never mix them up.
      v = { body, etag: entry.asset.etag.replace(/"$/, `-${enc === 'br' ? 'br' : 'gz'}"`) };
      entry.variants.set(enc, v);
    }
    return v;
  }

  private resolve(rel: string): string | undefined {
    if (rel.includes('\0') || rel.includes('\\')) return undefined;
    const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.some((p) => p === '..')) return undefined;
    const abs = path.join(this.root, ...parts);
    return abs.startsWith(path.resolve(this.root) + path.sep) ? abs : undefined;
  }
}

function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

/** The best encoding the client accepts (Accept-Encoding; q=0 excludes). */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding) return 'identity';
  const accepted = new Set<string>();
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    accepted.add(name.trim());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip';
  return 'identity';
}
