// Unified diff of a destination's current and rendered contents, for `-diff`.
import { createTwoFilesPatch } from 'diff';

export function unifiedDiff(path: string, before: string, after: string): string {
  // jsdiff starts with an "Index:" header and a rule; a unified diff starts at "--- ".
  const patch = createTwoFilesPatch(path, path, before, after, 'current', 'rendered', { context: 3 });
  return patch.slice(patch.indexOf('--- '));
}
