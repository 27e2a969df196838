// Serf tags in memberlist node meta: 0xFF then a msgpack map[string]string. Serf protocol < 3 (and
// any meta not starting with 0xFF) is the legacy form, the bare "role" string.
// MUST: the encoded meta fits memberlist's 512-byte limit (META_MAX_SIZE); check before using it.
import { asMap, asString, decode, encode } from '../wire/msgpack.js';

export const TAG_MAGIC_BYTE = 0xff;
/** memberlist.MetaMaxSize */
export const META_MAX_SIZE = 512;

export type Tags = Readonly<Record<string, string>>;

export function encodeTags(tags: Tags, protocolVersion: number): Uint8Array {
  if (protocolVersion < 3) return new TextEncoder().encode(tags.role ?? '');
  const body = encode(tags);
  const out = new Uint8Array(body.length + 1);
  out[0] = TAG_MAGIC_BYTE;
  out.set(body, 1);
  return out;
}

/** Decode node meta into tags; undecodable tag maps come back empty (serf logs and goes on). */
export function decodeTags(meta: Uint8Array): Record<string, string> {
  if (meta.length === 0 || meta[0] !== TAG_MAGIC_BYTE) return { role: new TextDecoder().decode(meta) };
  try {
    const m = asMap(decode(meta, 1).value, 'tags');
    const out: Record<string, string> = {};
    for (const k of Object.keys(m)) out[k] = asString(m[k]);
    return out;
  } catch {
    return {};
  }
}
