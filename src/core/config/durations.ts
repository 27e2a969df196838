// Duration values in config files: Go duration strings, or bare numbers read as nanoseconds.
import { parseGoDuration } from '../support/duration.js';
import { ConfigError } from './load.js';

/** A duration config value in ms: Go syntax, or a bare number as Go's nanoseconds. */
export function configDurationMs(v: string | number | undefined, key: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v === 'number') return v / 1e6; // Go decodes a bare number as nanoseconds
  try {
    return parseGoDuration(v);
  } catch {
    throw new ConfigError(`${key}: invalid duration "${v}"`);
  }
}
