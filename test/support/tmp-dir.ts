import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tmpDir(prefix = 'consul-ts-test-'): { path: string; remove(): void } {
  const p = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { path: p, remove: () => rmSync(p, { recursive: true, force: true }) };
}
