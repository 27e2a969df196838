// Go's time.ParseDuration and Duration.String, because Consul's API, CLI and config speak them
// (`10s`, `15.0s`, `1m30s`, `250ms`, `1h`). Clients such as Patroni send "15.0s".
// Units are written as \u escapes: one non-Latin-1 character (Greek mu) in the CLI bundle makes V8
// hold its whole 1.2 MB source as a two-byte string (2.4 MiB of heap in every process).

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  '\u00b5s': 1e-3,
  '\u03bcs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export class DurationError extends Error {}

/** Parse a Go duration into milliseconds (fractions kept). Throws DurationError. */
export function parseGoDuration(input: string): number {
  let s = input.trim();
  if (s === '') throw new DurationError(`time: invalid duration "${input}"`);
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/;
  let total = 0;
  let rest = s;
  if (rest === '') throw new DurationError(`time: invalid duration "${input}"`);
  while (rest.length > 0) {
    const m = part.exec(rest);
    if (!m) {
      if (/^\d/.test(rest) && !/[a-z\u00b5\u03bc]/i.test(rest)) throw new DurationError(`time: missing unit in duration "${input}"`);
      throw new DurationError(`time: invalid duration "${input}"`);
    }
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

/** Format milliseconds like Go's Duration.String() ("1m30s", "15s", "250ms", "0s"). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rem = Math.abs(ms);
  let out: string;
  if (rem < 1000) {
    out = rem >= 1 ? `${trim(rem)}ms` : rem >= 1e-3 ? `${trim(rem * 1e3)}\u00b5s` : `${trim(rem * 1e6)}ns`;
  } else {
    const h = Math.floor(rem / 3_600_000);
    rem -= h * 3_600_000;
    const m = Math.floor(rem / 60_000);
    rem -= m * 60_000;
    out = (h > 0 ? `${h}h` : '') + (h > 0 || m > 0 ? `${m}m` : '') + `${trim(rem / 1000)}s`;
  }
  return (neg ? '-' : '') + out;
}

function trim(n: number): string {
  return String(Number(n.toFixed(9)));
}
