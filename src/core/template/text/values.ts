// The value model the engine executes over, mapped onto Go's reflect kinds:
//   undefined                 an invalid reflect.Value (prints "<no value>")
//   null                      nil
//   string, boolean           string, bool
//   number                    int when integral, float64 otherwise (JS has one number type)
//   Array                     a slice ([]interface{} unless it carries GO_TYPE)
//   plain object              map[string]interface{} (iterated in sorted key order, as Go does)
//   class instance            a pointer to a struct: fields are own properties, methods live on
//                             the prototype (so `.Tags.Contains "x"` calls a method)
//   function                  a func value
// Classes name their Go type with a static `goType` (for error texts and %T).

export const GO_TYPE = Symbol.for('consul-ts.goType');

export type Kind = 'invalid' | 'nil' | 'string' | 'bool' | 'int' | 'float' | 'slice' | 'map' | 'struct' | 'func';

export function kindOf(v: unknown): Kind {
  if (v === undefined) return 'invalid';
  if (v === null) return 'nil';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'function':
      return 'func';
  }
  if (Array.isArray(v)) return 'slice';
  if (v instanceof Map) return 'map';
  return isPlainObject(v) ? 'map' : 'struct';
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The Go type name of a value, as reflect's Type.String() would print it. */
export function typeName(v: unknown): string {
  const tagged = (v as { [GO_TYPE]?: string } | null | undefined)?.[GO_TYPE];
  if (typeof tagged === 'string') return tagged;
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return '<nil>';
    case 'string':
      return 'string';
    case 'bool':
      return 'bool';
    case 'int':
      return 'int';
    case 'float':
      return 'float64';
    case 'slice':
      return '[]interface {}';
    case 'map':
      return 'map[string]interface {}';
    case 'func':
      return 'func(...interface {}) (interface {}, error)';
    case 'struct': {
      const ctor = (v as { constructor?: { goType?: string; name?: string } }).constructor;
      return ctor?.goType ?? `*${ctor?.name ?? 'struct'}`;
    }
  }
}

/** Go's isTrue (text/template exec.go): the truth of a value for if/with/and/or/not. */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return false;
    case 'string':
      return (v as string).length > 0;
    case 'bool':
      return v as boolean;
    case 'int':
    case 'float':
      return (v as number) !== 0;
    case 'slice':
      return (v as unknown[]).length > 0;
    case 'map':
      return v instanceof Map ? v.size > 0 : Object.keys(v as object).length > 0;
    case 'struct':
    case 'func':
      return true;
  }
}

/** Entries of a map value, sorted by key as fmt and range sort them. */
export function mapEntries(v: unknown): Array<[unknown, unknown]> {
  const entries: Array<[unknown, unknown]> = v instanceof Map ? [...v.entries()] : Object.entries(v as object);
  return entries.sort((a, b) => compareKeys(a[0], b[0]));
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Struct fields in declaration order (own enumerable properties). */
export function structFields(v: object): Array<[string, unknown]> {
  return Object.entries(v);
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64), fmt's %v: shortest digits, %e when exp < -4 or >= 6. */
export function formatFloatV(f: number, eprecShortest = 6): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const e = Number(f.toExponential().split('e')[1]);
  if (e < -4 || e >= eprecShortest) return goExp(f.toExponential());
  return f.toFixed(Math.max(0, (f.toExponential().split('e')[0]!.split('.')[1]?.length ?? 0) - e));
}

/** JS "1.5e+25" -> Go "1.5e+25"; JS "1e-7" -> Go "1e-07" (at least two exponent digits). */
export function goExp(js: string): string {
  const [mant, ex] = js.split('e') as [string, string];
  const sign = ex.startsWith('-') ? '-' : '+';
  const digits = ex.replace(/^[+-]/, '').padStart(2, '0');
  return `${mant}e${sign}${digits}`;
}

/** fmt's %v of one value (what {{.}} prints, and what print/printf %v print). */
export function formatV(v: unknown, plus = false, depth = 0): string {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return '<nil>';
    case 'string':
      return v as string;
    case 'bool':
      return String(v);
    case 'int':
      return String(v);
    case 'float':
      return formatFloatV(v as number);
    case 'slice':
      return `[${(v as unknown[]).map((e) => formatV(e, plus, depth + 1)).join(' ')}]`;
    case 'map':
      return `map[${mapEntries(v)
        .map(([k, e]) => `${formatV(k, plus, depth + 1)}:${formatV(e, plus, depth + 1)}`)
        .join(' ')}]`;
    case 'func':
      return '0x1';
    case 'struct': {
      const stringer = (v as { String?: unknown }).String;
      if (typeof stringer === 'function' && stringer.length === 0) return String(stringer.call(v));
      const body = structFields(v as object)
        .map(([k, e]) => (plus ? `${k}:${formatV(e, plus, depth + 1)}` : formatV(e, plus, depth + 1)))
        .join(' ');
      return depth === 0 ? `&{${body}}` : `{${body}}`;
    }
  }
}
