// Go's time.ParseDuration ("300ms", "1.5h", "2h45m") and the short form Go prints durations in.
const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export class DurationError extends Error {}

/** Milliseconds from a Go duration string; throws `time: invalid duration "x"`. */
export function parseGoDuration(s: string): number {
  const orig = s;
  let rest = s.trim();
  if (rest === '0') return 0;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '') throw new DurationError(`time: invalid duration ${JSON.stringify(orig)}`);
  let total = 0;
  while (rest !== '') {
    const m = /^(\d*\.?\d*)(ns|us|µs|ms|s|m|h)?/.exec(rest);
    if (!m || m[1] === '' || m[1] === '.') throw new DurationError(`time: invalid duration ${JSON.stringify(orig)}`);
    if (!m[2]) throw new DurationError(`time: missing unit in duration ${JSON.stringify(orig)}`);
    total += Number(m[1]) * UNITS[m[2]]!;
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

/** A config value that is a Go duration string, or a number of nanoseconds (mapstructure). */
export function durationValue(v: unknown, key: string): number {
  if (typeof v === 'number') return v / 1e6;
  if (typeof v === 'string') {
    try {
      return parseGoDuration(v);
    } catch (err) {
      throw new DurationError(`${key}: ${(err as Error).message}`);
    }
  }
  throw new DurationError(`${key}: expected a duration string, got ${JSON.stringify(v)}`);
}

/** Go's Duration.String for whole milliseconds: "5s", "1m30s", "250ms", "0s". */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  let out = '';
  let rest = ms;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  out += `${Number((rest / 1000).toFixed(3))}s`;
  return out;
}
