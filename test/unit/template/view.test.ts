// A view's blocking-query loop against a scripted dependency: change detection by index and
// contents, and the agent going away logged once per state change while retrying with backoff.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveClientConfig } from '../../../src/core/client/index.js';
import type { Dependency, FetchResult, QueryOptions } from '../../../src/core/template/dependency/index.js';
import { Logger } from '../../../src/core/template/log.js';
import { View } from '../../../src/core/template/watch/view.js';

type Step = FetchResult | Error;

class Scripted implements Dependency {
  readonly kind = 'consul';
  readonly id = 'kv.get(scripted)';
  readonly seen: number[] = [];
  constructor(private readonly steps: Step[]) {}
  async fetch(_h: unknown, opts: QueryOptions, signal: AbortSignal): Promise<FetchResult> {
    this.seen.push(opts.waitIndex);
    const step = this.steps.shift();
    if (step === undefined) {
      // Park like a blocking query until the view stops.
      await new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true }));
    }
    if (step instanceof Error) throw step;
    return step as FetchResult;
  }
}

const r = (data: unknown, lastIndex: number): FetchResult => ({ data, lastIndex, lastContactMs: 0 });

async function runView(steps: Step[]): Promise<{ data: unknown[]; lines: string[]; dep: Scripted }> {
  const total = steps.length;
  const dep = new Scripted([...steps]);
  const lines: string[] = [];
  const data: unknown[] = [];
  const log = new Logger('info', (l) => void lines.push(l.replace(/^\S+ /, '').trimEnd()));
  const view = new View(dep, {
    client: resolveClientConfig({ 'http-addr': '127.0.0.1:1' }, {}),
    retry: { enabled: true, attempts: 5, backoffMs: 1, maxBackoffMs: 4 },
    maxStaleMs: 0,
    blockWaitMs: 60_000,
    once: false,
    log,
    onData: (v) => void data.push(v.data),
    onError: (_v, err) => void lines.push(`onError ${err.message}`),
  });
  view.start();
  const deadline = Date.now() + 5000;
  while (dep.seen.length <= total && !lines.some((l) => l.startsWith('onError')) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 5));
  view.stop();
  return { data, lines, dep };
}

test('data is reported when the index moves and the contents change; the next query blocks on the last index', async () => {
  const { data, dep } = await runView([r('a', 5), r('a', 5), r('a', 6), r('b', 7), r('c', 3), r('d', 9)]);
  assert.deepEqual(data, ['a', 'b', 'd']);
  // index 3 < 7: the view resets to 0 before asking again.
  assert.deepEqual(dep.seen, [0, 5, 5, 6, 7, 0, 9]);
});

test('failures are retried with backoff and logged once per state change', async () => {
  const down = new Error('Get "http://127.0.0.1:1/v1/kv/x": dial tcp 127.0.0.1:1: connect: connection refused');
  const { data, lines } = await runView([down, down, down, r('up', 2), down, r('up2', 3)]);
  assert.deepEqual(data, ['up', 'up2']);
  assert.deepEqual(lines, [
    `[WARN] (view) kv.get(scripted): ${down.message} (retry attempt 1 after "1ms")`,
    '[INFO] (view) kv.get(scripted): connection restored',
    `[WARN] (view) kv.get(scripted): ${down.message} (retry attempt 1 after "1ms")`,
    '[INFO] (view) kv.get(scripted): connection restored',
  ]);
});

test('after the last attempt the error goes to the runner', async () => {
  const down = new Error('boom');
  const { lines } = await runView([down, down, down, down, down, down]);
  assert.equal(lines.at(-1), 'onError kv.get(scripted): boom');
  assert.match(lines.at(-2)!, /\[ERR\] \(view\) kv\.get\(scripted\): boom \(exceeded maximum retries\)/);
});
