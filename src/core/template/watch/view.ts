// A View (consul-template watch/view.go): one dependency's long-lived blocking-query loop. It
// reports data only when the index moved and the data changed, resets on a lower index, retries
// failures with the retry policy, and goes stale-then-consistent around max_stale.
import { HttpTransport, type ClientConfig } from '../../client/index.js';
import { type Dependency, sleep } from '../dependency/index.js';
import type { Logger } from '../log.js';
import { deepEqual } from './equal.js';
import { formatGoDuration } from '../duration.js';
import { retryDelay, type RetryPolicy } from './retry.js';

export interface ViewOptions {
  client: ClientConfig;
  retry: RetryPolicy;
  maxStaleMs: number;
  blockWaitMs: number;
  once: boolean;
  log: Logger;
  onData: (view: View) => void;
  onError: (view: View, err: Error) => void;
}

/** How long a non-blocking answer must take before the loop asks again (no hot loop). */
const MIN_REQUERY_MS = 50;

export class View {
  data: unknown = undefined;
  receivedData = false;
  lastIndex = 0;
  private readonly abort = new AbortController();
  private readonly http: HttpTransport;
  private failing = false;

  constructor(readonly dependency: Dependency, private readonly opts: ViewOptions) {
    this.http = new HttpTransport(opts.client);
  }

  start(): void {
    void this.poll();
  }

  stop(): void {
    this.abort.abort(new Error('view stopped'));
    void this.http.destroy();
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async poll(): Promise<void> {
    let retries = 0;
    let allowStale = this.opts.maxStaleMs > 0;
    const log = this.opts.log;
    const id = this.dependency.id;
    while (!this.stopped) {
      const started = Date.now();
      let res;
      try {
        res = await this.dependency.fetch(
          this.http,
          { waitIndex: this.lastIndex, waitTimeMs: this.opts.blockWaitMs, allowStale },
          this.abort.signal,
        );
      } catch (err) {
        if (this.stopped) return;
        const e = err instanceof Error ? err : new Error(String(err));
        const [retry, sleepMs] = retryDelay(this.opts.retry, retries);
        if (retry) {
          // Logged once per state change (healthy -> failing); each further attempt is DEBUG.
          const line = `(view) ${id}: ${e.message} (retry attempt ${retries + 1} after "${formatGoDuration(sleepMs)}")`;
          if (!this.failing) log.warn(line);
          else log.debug(line);
          this.failing = true;
          retries++;
          try {
            await sleep(sleepMs, this.abort.signal);
          } catch {
            return;
          }
          continue;
        }
        log.error(`(view) ${id}: ${e.message} (exceeded maximum retries)`);
        this.opts.onError(this, new Error(`${id}: ${e.message}`));
        return;
      }
      if (this.stopped) return;
      if (this.failing) {
        log.info(`(view) ${id}: connection restored`);
        this.failing = false;
      }
      retries = 0;
      if (allowStale && res.lastContactMs > this.opts.maxStaleMs) {
        allowStale = false;
        log.trace(`(view) ${id} stale data (last contact exceeded max_stale)`);
        continue;
      }
      if (this.opts.maxStaleMs > 0) allowStale = true;
      if (res.lastIndex === this.lastIndex) {
        log.trace(`(view) ${id} no new data (index was the same)`);
        await this.pace(started);
        continue;
      }
      if (res.lastIndex < this.lastIndex) {
        log.trace(`(view) ${id} had a lower index, resetting`);
        this.lastIndex = 0;
        continue;
      }
      this.lastIndex = res.lastIndex;
      if (this.receivedData && deepEqual(res.data, this.data)) {
        log.trace(`(view) ${id} no new data (contents were the same)`);
        await this.pace(started);
        continue;
      }
      if (res.data === null && res.blockOnNil) {
        log.trace(`(view) ${id} asked for blocking query`);
        await this.pace(started);
        continue;
      }
      this.data = res.data;
      this.receivedData = true;
      log.trace(`(view) ${id} received data`);
      this.opts.onData(this);
      if (this.opts.once) return;
    }
  }

  private async pace(started: number): Promise<void> {
    const elapsed = Date.now() - started;
    if (elapsed < MIN_REQUERY_MS) {
      try {
        await sleep(MIN_REQUERY_MS - elapsed, this.abort.signal);
      } catch {
        /* stopped */
      }
    }
  }
}
