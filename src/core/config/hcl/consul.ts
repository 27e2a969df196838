// Consul's fix-up of the generic HCL decode: one-element lists of maps become maps, except for
// keys that really are lists (services, checks, watches...). Pure: no I/O.
import { HclError } from './lexer.js';
import { parseHcl } from './parser.js';

// ---------------------------------------------------------------------------------------------
// Consul's fix-up (lib.PatchSliceOfMaps, reimplemented).

/** Keys (dot paths) that are real lists of objects in Consul's config and stay lists. */
export const CONSUL_LIST_KEYS: readonly string[] = [
  'checks',
  'segments',
  'service.checks',
  'services',
  'services.checks',
  'watches',
  'service.connect.proxy.config.upstreams',
  'services.connect.proxy.config.upstreams',
  'service.connect.proxy.upstreams',
  'services.connect.proxy.upstreams',
  'service.proxy.upstreams',
  'services.proxy.upstreams',
  'service.connect.sidecar_service.checks',
  'services.connect.sidecar_service.checks',
  'service.connect.sidecar_service.proxy.upstreams',
  'services.connect.sidecar_service.proxy.upstreams',
];

/** Subtrees left exactly as decoded. */
export const CONSUL_SKIP_TREES: readonly string[] = ['config_entries.bootstrap'];

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Turn every one-element list of maps into the map itself, except under the `skip` paths (kept as
 * lists, their elements patched) and `skipTree` paths (kept as they are). An empty list becomes
 * null; a longer list of maps where a single object is expected is an error.
 */
export function patchSliceOfMaps(
  m: Record<string, unknown>,
  skip: readonly string[] = CONSUL_LIST_KEYS,
  skipTree: readonly string[] = CONSUL_SKIP_TREES,
): Record<string, unknown> {
  const lowerSkip = new Set(skip.map((s) => s.toLowerCase()));
  const lowerTree = new Set(skipTree.map((s) => s.toLowerCase()));
  const patch = (name: string, v: unknown): unknown => {
    if (isMap(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) out[k] = patch(name === '' ? k : `${name}.${k}`, inner);
      return out;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) return null;
      const lower = name.toLowerCase();
      if (lowerTree.has(lower)) return v;
      if (lowerSkip.has(lower)) return v.map((item) => patch(name, item));
      if (!isMap(v[0])) return v;
      if (v.length > 1) throw new HclError(0, 0, `${name}: []map[string]interface{} with more than one element not supported`);
      return patch(name, v[0]);
    }
    return v;
  };
  return patch('', m) as Record<string, unknown>;
}

/** An HCL config file as Consul reads it: HCL1 decode, then the list fix-up. */
export function parseConsulHcl(src: string): Record<string, unknown> {
  return patchSliceOfMaps(parseHcl(src));
}
