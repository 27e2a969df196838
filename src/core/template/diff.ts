// Unified diff of a destination's current and rendered contents, for `-diff`.
import { createTwoFilesPatch } from 'diff';

export function unifiedDiff(path: string, before: string, after: string): string {
  return createTwoFilesPatch(path, path, before, after, 'current', 'rendered', { context: 3 }).replace(/^=+\n/, '');
}
