// The soak's growth analysis (test/support/soak-trend.ts) on synthetic series shaped like the
// CI soak (130 s, samples every 5 s, one server killed at 35 s and restarted at 45 s) with the
// noise real runs showed — GC sawtooth, V8 heap steps up, a heap release and regrow, a restarted
// server's climb, LevelDB's disk sawtooth — with and without a leak: steady ones must pass and
// leaking ones must fail, so the integration test can fail on growth.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CI_BOUNDS, confirmGrowth, judgeGrowth, lowEnvelope, slopePerMin, type GrowthBounds, type Sample } from '../../support/soak-trend.js';

type Shape = (t: number) => number; // t in ms -> MiB

/** Deterministic jitter in [-a, a] (a small LCG: the series must be the same every run). */
function jitter(seed: number, a: number): (t: number) => number {
  return (t) => {
    const x = Math.sin((t / 5_000 + 1) * 12.9898 * seed) * 43_758.5453;
    return (x - Math.floor(x) - 0.5) * 2 * a;
  };
}

/** GC sawtooth: the heap climbs `height` MiB over `periodMs`, then drops back to its floor. */
const sawtooth = (height: number, periodMs: number): Shape => (t) => ((t % periodMs) / periodMs) * height;
const at = (stepMs: number, mib: number): Shape => (t) => (t >= stepMs ? mib : 0);
const leak = (mibPerMin: number, fromMs = 0): Shape => (t) => Math.max(0, t - fromMs) / 60_000 * mibPerMin;
const sum = (...shapes: Shape[]): Shape => (t) => shapes.reduce((a, f) => a + f(t), 0);

interface Series {
  readonly rss: Record<'s1' | 's2' | 's3a' | 's3b', Shape>;
  readonly disk?: Shape;
}

/** s1, s2 run 0..130 s; s3 runs 0..35 s, is killed, and its new process runs 45..130 s. */
function cluster(series: Series): Sample[] {
  const out: Sample[] = [];
  const disk = series.disk ?? ((t: number) => 1 + ((t % 90_000) / 90_000) * 4); // LevelDB sawtooth 1..5 MiB
  for (let t = 0; t <= 130_000; t += 5_000) {
    out.push({ t, server: 's1', incarnation: 0, rssMiB: series.rss.s1(t), diskMiB: disk(t) });
    out.push({ t, server: 's2', incarnation: 0, rssMiB: series.rss.s2(t), diskMiB: disk(t) + 0.1 });
    if (t <= 35_000) out.push({ t, server: 's3', incarnation: 0, rssMiB: series.rss.s3a(t), diskMiB: disk(t) });
    if (t >= 45_000) out.push({ t, server: 's3', incarnation: 1, rssMiB: series.rss.s3b(t), diskMiB: disk(t) });
  }
  return out;
}

/** A restarted server: from 60 MiB it climbs to ~125 within 40 s, with GC noise. */
const restarted: Shape = sum((t) => 60 + Math.min(1, (t - 45_000) / 40_000) * 65, sawtooth(8, 15_000), jitter(3, 2));
const steady = (base: number, seed: number): Shape => sum(() => base, sawtooth(6, 20_000), jitter(seed, 2));

const STEADY: Series['rss'] = { s1: steady(130, 1), s2: steady(138, 2), s3a: steady(134, 4), s3b: restarted };

const failed = (s: Sample[], b: GrowthBounds = CI_BOUNDS): string[] =>
  judgeGrowth(s, b)
    .checks.filter((c) => !c.ok)
    .map((c) => `${c.server} ${c.name}`);

test('slope and low envelope', () => {
  assert.equal(slopePerMin([{ t: 0, y: 1 }, { t: 60_000, y: 3 }]), 2);
  assert.equal(slopePerMin([{ t: 0, y: 1 }]), 0);
  const env = lowEnvelope([0, 5, 10, 15, 20, 25, 30].map((s) => ({ t: s * 1000, y: s === 10 ? 1 : 9 })), 10_000);
  // windows [0,10) [10,20) [20,30); the lone sample at 30 s is raw, not a minimum: left out
  assert.deepEqual(env, [{ t: 5_000, y: 9 }, { t: 15_000, y: 1 }, { t: 25_000, y: 9 }]);
});

test('steady servers pass despite GC sawtooth, V8 steps, heap releases and a restart', () => {
  assert.deepEqual(failed(cluster({ rss: STEADY })), []);
  // V8 grows the heap by a step of 20 MiB once, early in the judged series.
  assert.deepEqual(failed(cluster({ rss: { ...STEADY, s1: sum(steady(125, 1), at(60_000, 20)) } })), []);
  // V8 hands 25-30 MiB back and takes it again over a minute (the shapes in real runs: the one
  // at 25 s gave a raw slope of +20.9 MiB/min; in a 20-minute run 137 -> 113 -> 137 MiB).
  const release = (atMs: number, mib: number, regrowMs: number): Shape => (t) => (t < atMs ? 0 : -mib * Math.max(0, 1 - (t - atMs) / regrowMs));
  for (const [atMs, mib, regrowMs] of [[25_000, 30, 30_000], [50_000, 25, 60_000], [70_000, 24, 50_000], [90_000, 30, 30_000]] as const) {
    const r = judgeGrowth(cluster({ rss: { ...STEADY, s2: sum(steady(138, 2), release(atMs, mib, regrowMs)) } }), CI_BOUNDS);
    assert.deepEqual(r.checks.filter((c) => !c.ok), [], `release at ${atMs} ms`);
  }
  // Big raw sawtooth (30 MiB between collections).
  assert.deepEqual(failed(cluster({ rss: { ...STEADY, s1: sum(() => 120, sawtooth(30, 25_000), jitter(5, 4)) } })), []);
  // A raw slope well over the bound while the floor is flat: the sawtooth grows taller, not higher.
  const taller: Shape = (t) => 125 + ((t % 20_000) / 20_000) * (10 + t / 1_000);
  const r = judgeGrowth(cluster({ rss: { ...STEADY, s1: taller } }), CI_BOUNDS);
  const s1 = r.trends.find((x) => x.server === 's1')?.incarnations[0];
  assert.ok(s1 !== undefined && s1.rawSlope > CI_BOUNDS.rssSlopeMiBPerMin, `raw slope ${s1?.rawSlope}`);
  assert.deepEqual(r.checks.filter((c) => !c.ok), []);
});

test('a leak in a long-running server fails the RSS slope, with the same noise on top', () => {
  for (const rate of [25, 40, 120]) {
    assert.deepEqual(failed(cluster({ rss: { ...STEADY, s1: sum(steady(130, 1), leak(rate)) } })), ['s1 rss-slope'], `leak ${rate} MiB/min`);
  }
  // A leak in every server (a per-request leak): every judged series fails.
  const all = failed(cluster({ rss: { s1: sum(steady(130, 1), leak(30)), s2: sum(steady(138, 2), leak(30)), s3a: steady(134, 4), s3b: sum(restarted, leak(30, 45_000)) } }));
  assert.ok(all.includes('s1 rss-slope') && all.includes('s2 rss-slope'), all.join(', '));
  // A leak that starts after warm-up (e.g. in leader-only state after the election).
  assert.ok(failed(cluster({ rss: { ...STEADY, s2: sum(steady(138, 2), leak(45, 60_000)) } })).includes('s2 rss-slope'));
});

test('a restarted server that keeps climbing fails its level bound', () => {
  const runaway: Shape = sum(restarted, leak(120, 60_000)); // ~+140 MiB by 130 s
  assert.deepEqual(failed(cluster({ rss: { ...STEADY, s3b: runaway } })), ['s3 rss-level']);
});

test('no judged series at all fails rather than passing vacuously', () => {
  const shortOnly = cluster({ rss: STEADY }).filter((s) => s.t <= 40_000);
  assert.ok(failed(shortOnly).length > 0);
  assert.equal(judgeGrowth(shortOnly, CI_BOUNDS).checks.filter((c) => c.name === 'rss-slope').length, 0);
});

test('disk: a compacted sawtooth passes; a dir that only grows, or one past the maximum, fails', () => {
  assert.deepEqual(failed(cluster({ rss: STEADY, disk: (t) => 1 + ((t % 60_000) / 60_000) * 6 })), []);
  // Never compacted at ~6 MiB/min: it ends high (tail) by 130 s.
  const growing = failed(cluster({ rss: STEADY, disk: (t) => 0.5 + leak(6)(t) }));
  assert.ok(growing.includes('s1 disk-tail') && !growing.includes('s1 disk-max'), growing.join(', '));
  // A spike past the maximum, even if it drops back.
  const spike = failed(cluster({ rss: STEADY, disk: (t) => (t === 70_000 ? 20 : 2) }));
  assert.ok(spike.includes('s1 disk-max') && !spike.includes('s1 disk-tail'), spike.join(', '));
});

test('a rising floor is confirmed only if RSS never comes back to its earlier high under more load', () => {
  // The shape of one real run: a server that was not killed climbs 151 -> 212 MiB from 65 s on.
  const climb: Shape = (t) => (t < 65_000 ? 150 + jitter(7, 1)(t) : 151 + (t - 65_000) / 1_000 * 0.95);
  const extended = (after: Shape): Sample[] => {
    const base = cluster({ rss: { ...STEADY, s1: climb } });
    for (let t = 135_000; t <= 190_000; t += 5_000) base.push({ t, server: 's1', incarnation: 0, rssMiB: after(t), diskMiB: 2 });
    return base;
  };
  const judge = (s: Sample[]): string[] => {
    const r = judgeGrowth(s.filter((x) => x.t <= 130_000), CI_BOUNDS);
    const slopes = r.checks.filter((c) => !c.ok && c.name === 'rss-slope');
    assert.deepEqual(slopes.map((c) => c.server), ['s1'], 'the climb fails the 130 s judgement');
    return confirmGrowth(slopes, r.trends, s, 135_000).map((c) => c.server);
  };
  // A full collection at 160 s hands the pages back: not growth.
  assert.deepEqual(judge(extended((t) => (t < 160_000 ? 215 + (t - 135_000) / 1_000 : 138))), []);
  // Still climbing, or flat above the earlier high: growth.
  assert.deepEqual(judge(extended(climb)), ['s1']);
  assert.deepEqual(judge(extended(() => 200)), ['s1']);
});
