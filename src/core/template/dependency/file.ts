// The file dependency (consul-template dependency/file.go): a local file, re-read when its
// modification time or size changes (polled, there is no blocking query for files).
import { readFile, stat } from 'node:fs/promises';
import type { HttpTransport } from '../../client/index.js';
import { sleep } from './catalog.js';
import { type Dependency, DependencyParseError, type FetchResult, type QueryOptions } from './dependency.js';

const POLL_MS = 2000;

export class FileQuery implements Dependency {
  readonly kind = 'local';
  readonly id: string;
  private lastStamp = '';

  constructor(readonly path: string) {
    if (path === '') throw new DependencyParseError('file: invalid format: ""');
    this.id = `file(${path})`;
  }

  async fetch(_http: HttpTransport, opts: QueryOptions, signal: AbortSignal): Promise<FetchResult> {
    for (;;) {
      try {
        const st = await stat(this.path);
        const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
        if (opts.waitIndex === 0 || stamp !== this.lastStamp) {
          this.lastStamp = stamp;
          const data = await readFile(this.path, 'utf8');
          return { data, lastIndex: opts.waitIndex + 1, lastContactMs: 0 };
        }
      } catch (err) {
        throw new Error(`${this.id}: ${err instanceof Error ? err.message.replace(/^(\w+): /, '') : String(err)}`);
      }
      await sleep(POLL_MS, signal);
    }
  }
}
