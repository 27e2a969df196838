// How Go prints the values of Consul's api ACL structs: time.Time with %v, []byte with %x, and
// the JSON encoding/json gives them after the api package decoded the agent's answer.

/** Go's zero time.Time, as %v prints it. */
const ZERO_TIME = '0001-01-01 00:00:00 +0000 UTC';

const RFC3339 = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * time.Time.String() of a time decoded from RFC 3339 text: `2006-01-02 15:04:05.999999999 -0700 MST`.
 * A `Z` offset decodes to UTC; any other offset to a fixed zone without a name, which Go prints as
 * the offset again (`+0200 +0200`). The fraction keeps only its significant digits.
 */
export function goTimeString(value: string | null | undefined): string {
  if (value === undefined || value === null || value === '') return ZERO_TIME;
  const m = RFC3339.exec(value);
  if (!m) return value;
  const [, date, clock, frac, zone] = m as unknown as [string, string, string, string | undefined, string];
  const fraction = frac ? frac.replace(/0+$/, '') : '';
  const base = `${date} ${clock}${fraction ? `.${fraction}` : ''}`;
  if (zone === 'Z') return `${base} +0000 UTC`;
  const offset = zone.replace(':', '');
  return `${base} ${offset} ${offset}`;
}

/** Is this a set, non-zero time (Go: `t != nil && !t.IsZero()`)? */
export function isSetTime(value: string | null | undefined): value is string {
  return typeof value === 'string' && value !== '' && !value.startsWith('0001-01-01T00:00:00');
}

/** fmt's %x of a []byte that JSON carried as base64. */
export function hexOfBase64(value: string | null | undefined): string {
  return value ? Buffer.from(value, 'base64').toString('hex') : '';
}

/** RFC 3339 as Go's time.Time MarshalJSON writes it (RFC3339Nano: no trailing zeros). */
export function goTimeJson(value: string): string {
  const m = RFC3339.exec(value);
  if (!m) return value;
  const [, date, clock, frac, zone] = m as unknown as [string, string, string, string | undefined, string];
  const fraction = frac ? frac.replace(/0+$/, '') : '';
  return `${date}T${clock}${fraction ? `.${fraction}` : ''}${zone}`;
}

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, '\u00b5s': 1e3, '\u03bcs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/**
 * Go's time.ParseDuration, to nanoseconds; undefined when the text is not a duration.
 * `-expires-ttl` is a DurationVar, and agents may answer ExpirationTTL as text.
 */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = part.exec(s);
    if (!m) return undefined;
    total += Number.parseFloat(m[1]!) * UNIT_NS[m[2]!]!;
    s = s.slice(m[0].length);
  }
  return sign * Math.round(total);
}

/** An ExpirationTTL as the api struct holds it: nanoseconds. */
export function ttlNanos(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  return parseGoDuration(value);
}
