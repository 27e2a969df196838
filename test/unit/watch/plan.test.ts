// The plan loop: change detection, index reset, back-off, one handler call in flight.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deepEqual, nextIndex, parseWatch, WatchPlan, type WatchRequest, type WatchResponse, type WatchTransport } from '../../../src/core/watch/index.js';
import { eventIdToIndex } from '../../../src/core/structs/event.js';

type Step = { index: number | bigint; body: unknown; status?: number } | Error;

/** Answers scripted steps in order; after the last one it parks until destroyed. */
class ScriptedTransport implements WatchTransport {
  readonly requests: WatchRequest[] = [];
  private parked: ((e: Error) => void) | undefined;
  constructor(private readonly steps: Step[]) {}
  async get(req: WatchRequest): Promise<WatchResponse> {
    this.requests.push(req);
    const step = this.steps.shift();
    if (!step) return new Promise((_r, reject) => (this.parked = reject));
    if (step instanceof Error) throw step;
    return { statusCode: step.status ?? 200, headers: { 'x-consul-index': String(step.index) }, body: Buffer.from(JSON.stringify(step.body)) };
  }
  async destroy(): Promise<void> {
    this.parked?.(new Error('destroyed'));
  }
}

async function runUntil(plan: WatchPlan, transport: ScriptedTransport, requests: number): Promise<void> {
  const deadline = Date.now() + 5000;
  void plan.run();
  while (transport.requests.length < requests) {
    assert.ok(Date.now() < deadline, `only ${transport.requests.length} requests made`);
    await new Promise((r) => setTimeout(r, 2));
  }
  plan.stop();
  await plan.run();
}

const indexes = (t: ScriptedTransport): (string | undefined)[] => t.requests.map((r) => r.query.index as string | undefined);

test('the handler runs on the first result and on changes only', async () => {
  const t = new ScriptedTransport([
    { index: 5, body: [{ Key: 'a' }] },
    { index: 5, body: [{ Key: 'a' }] }, // timeout: same index
    { index: 6, body: [{ Key: 'a' }] }, // new index, same value
    { index: 7, body: [{ Key: 'a', Value: 'eA==' }] },
  ]);
  const calls: [bigint, unknown][] = [];
  const plan = new WatchPlan(parseWatch({ type: 'key', key: 'a' }), t, (i, v) => void calls.push([i, v]));
  await runUntil(plan, t, 5);
  assert.deepEqual(calls, [
    [5n, { Key: 'a' }],
    [7n, { Key: 'a', Value: 'eA==' }],
  ]);
  assert.deepEqual(indexes(t), [undefined, '5', '5', '6', '7']);
});

test('an index that goes backwards resets to 0; an event index does not', async () => {
  const t = new ScriptedTransport([{ index: 10, body: ['x'] }, { index: 4, body: ['y'] }]);
  const plan = new WatchPlan(parseWatch({ type: 'nodes' }), t, () => undefined);
  await runUntil(plan, t, 3);
  assert.deepEqual(indexes(t), [undefined, '10', undefined]);
  assert.equal(nextIndex(4n, 10n, true), 0n);
  assert.equal(nextIndex(4n, 10n, false), 4n);
  assert.equal(nextIndex(4n, undefined, true), 4n);
});

test('errors back off and retry without an index; an unchanged answer after an error is not re-delivered', async () => {
  const t = new ScriptedTransport([{ index: 3, body: [1] }, new Error('connection refused'), { index: 3, body: [1] }, { index: 9, body: [2] }]);
  const calls: unknown[] = [];
  const retries: number[] = [];
  const plan = new WatchPlan(parseWatch({ type: 'nodes' }), t, (_i, v) => void calls.push(v), { retryBaseMs: 1, onError: (_e, ms) => retries.push(ms) });
  await runUntil(plan, t, 5);
  assert.deepEqual(calls, [[1], [2]]);
  assert.deepEqual(indexes(t), [undefined, '3', undefined, '3', '9']);
  assert.deepEqual(retries, [1]);
});

test('an error status is a failed query', async () => {
  const t = new ScriptedTransport([{ index: 1, body: 'No cluster leader', status: 500 }, { index: 2, body: [] }]);
  const errors: string[] = [];
  const plan = new WatchPlan(parseWatch({ type: 'nodes' }), t, () => undefined, { retryBaseMs: 1, onError: (e) => errors.push(e.message) });
  await runUntil(plan, t, 3);
  assert.deepEqual(errors, ['Unexpected response code: 500 ("No cluster leader")']);
});

test('a missing key is null', async () => {
  const t = new ScriptedTransport([{ index: 4, body: '', status: 404 }]);
  const calls: unknown[] = [];
  const plan = new WatchPlan(parseWatch({ type: 'key', key: 'nope' }), t, (_i, v) => void calls.push(v));
  await runUntil(plan, t, 2);
  assert.deepEqual(calls, [null]);
});

test('one handler call in flight: the next query waits for it', async () => {
  const t = new ScriptedTransport([{ index: 1, body: [1] }, { index: 2, body: [2] }]);
  let release!: () => void;
  let inFlight = 0;
  let maxInFlight = 0;
  const plan = new WatchPlan(parseWatch({ type: 'nodes' }), t, async () => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    if (t.requests.length === 1) await new Promise<void>((r) => (release = r));
    inFlight--;
  });
  void plan.run();
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(t.requests.length, 1, 'no new query while the handler runs');
  release();
  await runUntil(plan, t, 3);
  assert.equal(maxInFlight, 1);
});

test('an event watch hands over only the events after the last one seen', async () => {
  const e1 = { ID: '11111111-2222-3333-4444-555555555555', Name: 'a' };
  const e2 = { ID: '66666666-7777-8888-9999-aaaaaaaaaaaa', Name: 'a' };
  const i1 = eventIdToIndex(e1.ID);
  const i2 = eventIdToIndex(e2.ID);
  const t = new ScriptedTransport([{ index: i1, body: [e1] }, { index: i2, body: [e1, e2] }]);
  const calls: unknown[] = [];
  const plan = new WatchPlan(parseWatch({ type: 'event', name: 'a' }), t, (_i, v) => void calls.push(v));
  await runUntil(plan, t, 3);
  assert.deepEqual(calls, [[e1], [e2]]);
  assert.deepEqual(indexes(t), [undefined, i1.toString(), i2.toString()]);
});

test('eventIdToIndex is the XOR of the UUID halves', () => {
  assert.equal(eventIdToIndex('e21f06ba-4ff2-491a-b0f6-bb7cdcc86ff3'), 0xe21f06ba4ff2491an ^ 0xb0f6bb7cdcc86ff3n);
  assert.equal(eventIdToIndex('not-a-uuid'), 0n);
});

test('deepEqual compares JSON structurally', () => {
  assert.ok(deepEqual({ a: [1, { b: null }] }, { a: [1, { b: null }] }));
  assert.ok(!deepEqual({ a: 1 }, { a: 1, b: 2 }));
  assert.ok(!deepEqual([1], { 0: 1 }));
  assert.ok(!deepEqual(null, {}));
});
