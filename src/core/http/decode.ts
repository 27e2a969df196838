// Request bodies decoded as Go's encoding/json does: object keys match struct fields
// case-insensitively (`key`, `Key` and `KEY` all fill Key), so clients that send snake or lower
// case still work. Durations accept Go syntax; []byte fields are base64.
import { Errors } from '../errors.js';
import { goJsonSyntaxError } from '../support/json-syntax.js';

export type JsonObject = Record<string, unknown>;

export function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw Errors.decode(goDecoderError(text, err));
  }
}

/**
 * What Go's json.Decoder says of a body JSON.parse refused: the scanner's `invalid character ...`,
 * or, at the end of the input, `EOF` (nothing sent) and `unexpected EOF` (a value cut short).
 */
export function goDecoderError(text: string, err: unknown): string {
  const syntax = goJsonSyntaxError(text);
  if (!syntax) return err instanceof Error ? err.message : String(err);
  if (syntax.message === 'unexpected end of JSON input') return text.trim() === '' ? 'EOF' : 'unexpected EOF';
  return syntax.message;
}

/** Look a field up case-insensitively (exact match first, as Go does). */
export function field(obj: JsonObject, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class DecodeError extends Error {}

export function str(obj: JsonObject, name: string, dflt = ''): string {
  const v = field(obj, name);
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'string') throw new DecodeError(`json: cannot unmarshal ${jsonType(v)} into Go struct field .${name} of type string`);
  return v;
}

export function num(obj: JsonObject, name: string, dflt = 0): number {
  const v = field(obj, name);
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || !Number.isInteger(v)) {
    throw new DecodeError(`json: cannot unmarshal ${jsonType(v)} into Go struct field .${name} of type uint64`);
  }
  return v;
}

export function bool(obj: JsonObject, name: string, dflt = false): boolean {
  const v = field(obj, name);
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new DecodeError(`json: cannot unmarshal ${jsonType(v)} into Go struct field .${name} of type bool`);
  return v;
}

export function bytes(obj: JsonObject, name: string): Uint8Array {
  const v = field(obj, name);
  if (v === undefined || v === null) return new Uint8Array(0);
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) {
    throw new DecodeError(`illegal base64 data at input byte 0`);
  }
  return new Uint8Array(Buffer.from(v, 'base64'));
}

export function strMap(obj: JsonObject, name: string): Record<string, string> {
  const v = field(obj, name);
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new DecodeError(`json: cannot unmarshal ${jsonType(v)} into Go struct field .${name} of type map[string]string`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) out[k] = typeof val === 'string' ? val : String(val);
  return out;
}

export function strList(obj: JsonObject, name: string): string[] {
  const v = field(obj, name);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw new DecodeError(`json: cannot unmarshal ${jsonType(v)} into Go struct field .${name} of type []string`);
  }
  return v as string[];
}

export function obj(o: JsonObject, name: string): JsonObject | undefined {
  const v = field(o, name);
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new DecodeError(`json: cannot unmarshal ${jsonType(v)} into Go struct field .${name}`);
  return v;
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}
