// Growth analysis for the soak (issue 16 item 5), pure so it can be unit-tested on synthetic
// series: per server and per process incarnation, RSS is judged by its low envelope (the minimum
// of each time window), not by raw samples. V8 grows the heap before a GC and hands pages back
// late, so raw RSS moves in steps of several MiB either way; the floor it returns to after
// each collection moves only when live memory does, which is what a leak raises. Growth is a
// floor that rises (its least-squares slope over the windows) and ends above every level the
// process held before (V8 also hands 20-30 MiB back and takes it again over a minute: that lifts
// a short envelope's slope, but only back to where it was).
// MUST: a trend is judged only on an incarnation with enough windows after its own warm-up (a
//       restarted process starts from zero and climbs: that is warm-up, not growth); a shorter
//       incarnation is still bounded by its level. Disk is judged across incarnations (the
//       data dir persists) by its maximum and by where it ends (a dir that only grows ends at
//       its maximum; a compacted one keeps falling back).

export interface Sample {
  readonly t: number; // ms since load start
  readonly server: string;
  readonly incarnation: number;
  readonly rssMiB: number;
  readonly diskMiB: number;
}

export interface GrowthBounds {
  /** Samples this soon after the load (or a restart) starts are warm-up. */
  readonly warmupMs: number;
  /** Width of one low-envelope window. */
  readonly windowMs: number;
  /** An incarnation needs this many envelope windows for its slope to be judged. */
  readonly minTrendWindows: number;
  /**
   * Least-squares slope of the RSS low envelope, per judged incarnation; it fails only when the
   * last window's floor is also above the highest raw sample before the series' second half.
   */
  readonly rssSlopeMiBPerMin: number;
  /** Every incarnation's envelope maximum may exceed the highest judged envelope by this. */
  readonly rssLevelSlackMiB: number;
  /** Data dir at every sample after warm-up. */
  readonly diskMaxMiB: number;
  /** Smallest data-dir sample in the last `diskTailMs`: where the dir ends up. */
  readonly diskTailMiB: number;
  readonly diskTailMs: number;
}

/** The CI soak's bounds (test/integration/soak.test.ts says why each is what it is). */
export const CI_BOUNDS: GrowthBounds = {
  warmupMs: 45_000,
  windowMs: 20_000,
  minTrendWindows: 4,
  rssSlopeMiBPerMin: 20,
  rssLevelSlackMiB: 48,
  diskMaxMiB: 16,
  diskTailMiB: 10,
  diskTailMs: 30_000,
};

export interface Check {
  readonly server: string;
  readonly name: 'rss-slope' | 'rss-level' | 'disk-max' | 'disk-tail';
  readonly value: number;
  readonly bound: number;
  readonly ok: boolean;
  readonly detail: string;
  /** The process incarnation an RSS check is about. */
  readonly incarnation?: number;
}

export interface IncarnationTrend {
  readonly incarnation: number;
  readonly startMs: number;
  readonly samples: number;
  readonly envelope: ReadonlyArray<{ t: number; y: number }>;
  readonly judged: boolean;
  readonly envelopeSlope: number;
  readonly rawSlope: number;
  /** Highest raw sample before the second half of the settled series (warm-up included). */
  readonly highWaterMiB: number;
  /** The floor of the last envelope window. */
  readonly endFloorMiB: number;
  readonly rssMin: number;
  readonly rssMax: number;
}

export interface ServerTrend {
  readonly server: string;
  readonly incarnations: readonly IncarnationTrend[];
  readonly diskSlope: number;
  readonly diskMin: number;
  readonly diskMax: number;
  readonly diskTailMin: number;
}

/** Least-squares slope of y over t (t in ms, slope per minute); 0 with fewer than 2 points. */
export function slopePerMin(points: ReadonlyArray<{ t: number; y: number }>): number {
  const n = points.length;
  if (n < 2) return 0;
  const xs = points.map((p) => p.t / 60_000);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  points.forEach((p, i) => {
    const dx = (xs[i] as number) - mx;
    num += dx * (p.y - my);
    den += dx * dx;
  });
  return den === 0 ? 0 : num / den;
}

/**
 * The minimum of each `windowMs` window from the first point on, placed at the window's middle;
 * a window with fewer than 2 points (the ragged end) is left out, since a lone sample is raw.
 */
export function lowEnvelope(points: ReadonlyArray<{ t: number; y: number }>, windowMs: number): Array<{ t: number; y: number }> {
  const first = points[0];
  if (first === undefined) return [];
  const windows = new Map<number, number[]>();
  for (const p of points) {
    const w = Math.floor((p.t - first.t) / windowMs);
    windows.set(w, [...(windows.get(w) ?? []), p.y]);
  }
  return [...windows]
    .filter(([, ys]) => ys.length >= 2)
    .sort(([a], [b]) => a - b)
    .map(([w, ys]) => ({ t: first.t + (w + 0.5) * windowMs, y: Math.min(...ys) }));
}

export function serverTrends(samples: readonly Sample[], b: Pick<GrowthBounds, 'warmupMs' | 'windowMs' | 'minTrendWindows' | 'diskTailMs'>): ServerTrend[] {
  const names = [...new Set(samples.map((s) => s.server))].sort();
  const end = Math.max(...samples.map((s) => s.t));
  return names.map((server) => {
    const mine = samples.filter((s) => s.server === server).sort((x, y) => x.t - y.t);
    const incs = [...new Set(mine.map((s) => s.incarnation))].sort((x, y) => x - y);
    const incarnations = incs.map((incarnation): IncarnationTrend => {
      const all = mine.filter((s) => s.incarnation === incarnation);
      // The first incarnation starts with the load; a restarted one at its first sample.
      const startMs = incarnation === 0 ? 0 : (all[0] as Sample).t;
      const settled = all.filter((s) => s.t >= startMs + b.warmupMs).map((s) => ({ t: s.t, y: s.rssMiB }));
      const envelope = lowEnvelope(settled, b.windowMs);
      const rss = settled.map((p) => p.y);
      const mid = settled.length > 0 ? ((settled[0] as { t: number }).t + (settled[settled.length - 1] as { t: number }).t) / 2 : 0;
      const before = all.filter((s) => s.t < mid).map((s) => s.rssMiB);
      return {
        incarnation,
        startMs,
        samples: settled.length,
        envelope,
        judged: envelope.length >= b.minTrendWindows,
        envelopeSlope: slopePerMin(envelope),
        rawSlope: slopePerMin(settled),
        highWaterMiB: before.length > 0 ? Math.max(...before) : NaN,
        endFloorMiB: envelope.length > 0 ? (envelope[envelope.length - 1] as { y: number }).y : NaN,
        rssMin: rss.length > 0 ? Math.min(...rss) : NaN,
        rssMax: rss.length > 0 ? Math.max(...rss) : NaN,
      };
    });
    const disk = mine.filter((s) => s.t >= b.warmupMs).map((s) => ({ t: s.t, y: s.diskMiB }));
    const d = disk.map((p) => p.y);
    const tail = disk.filter((p) => p.t >= end - b.diskTailMs).map((p) => p.y);
    return {
      server,
      incarnations,
      diskSlope: slopePerMin(disk),
      diskMin: d.length > 0 ? Math.min(...d) : NaN,
      diskMax: d.length > 0 ? Math.max(...d) : NaN,
      diskTailMin: tail.length > 0 ? Math.min(...tail) : NaN,
    };
  });
}

/** Every growth check on every server, passing or not, so a report can show each margin. */
export function judgeGrowth(samples: readonly Sample[], b: GrowthBounds): { trends: ServerTrend[]; checks: Check[] } {
  const trends = serverTrends(samples, b);
  const checks: Check[] = [];
  const judged = trends.flatMap((tr) => tr.incarnations.filter((i) => i.judged));
  // The level a short series is held to: the highest settled floor of a judged series (none
  // judged: -Infinity, so every level check fails rather than passing vacuously).
  const reference = Math.max(...judged.flatMap((i) => i.envelope.map((p) => p.y)));
  const levelBound = reference + b.rssLevelSlackMiB;
  for (const tr of trends) {
    for (const inc of tr.incarnations) {
      const tag = `incarnation ${inc.incarnation} (from ${(inc.startMs / 1000).toFixed(0)} s, ${inc.envelope.length} windows)`;
      if (inc.judged) {
        // Growth is a rising floor that also ends above every earlier peak: V8 hands heap
        // pages back and takes them again (RSS drops 20-30 MiB and climbs back over a minute),
        // which lifts a short envelope's slope but never past the level it held before.
        const above = inc.endFloorMiB - inc.highWaterMiB;
        const ok = inc.envelopeSlope < b.rssSlopeMiBPerMin || above <= 0;
        checks.push({ server: tr.server, incarnation: inc.incarnation, name: 'rss-slope', value: inc.envelopeSlope, bound: b.rssSlopeMiBPerMin, ok, detail: `${tag}: envelope slope ${inc.envelopeSlope.toFixed(2)} MiB/min (raw ${inc.rawSlope.toFixed(2)}), end floor ${inc.endFloorMiB.toFixed(0)} MiB vs earlier high ${inc.highWaterMiB.toFixed(0)} MiB (${above >= 0 ? '+' : ''}${above.toFixed(1)})` });
      }
      // A judged series is held by its slope; a short one (just restarted) by its level.
      const top = Math.max(...inc.envelope.map((p) => p.y));
      if (!inc.judged && inc.envelope.length > 0) {
        checks.push({ server: tr.server, name: 'rss-level', value: top, bound: levelBound, ok: Number.isFinite(levelBound) && top < levelBound, detail: `${tag}: envelope max ${top.toFixed(0)} MiB` });
      }
    }
    checks.push({ server: tr.server, name: 'disk-max', value: tr.diskMax, bound: b.diskMaxMiB, ok: tr.diskMax < b.diskMaxMiB, detail: `data dir max ${tr.diskMax.toFixed(2)} MiB` });
    checks.push({ server: tr.server, name: 'disk-tail', value: tr.diskTailMin, bound: b.diskTailMiB, ok: tr.diskTailMin < b.diskTailMiB, detail: `data dir min over the last ${b.diskTailMs / 1000} s ${tr.diskTailMin.toFixed(2)} MiB` });
  }
  return { trends, checks };
}

/**
 * A failed RSS-slope check is confirmed only if the server's RSS, given more time under the same
 * load, never comes back to the level it held before (`highWaterMiB`): V8 may let the old
 * generation grow for a minute or more before a full collection (a steady server was seen
 * climbing 151 -> 212 MiB in 65 s), then hands the pages back; a leak never returns. Returns the
 * checks that stay failed: those whose server has no sample at or below its earlier high at
 * or after `fromMs` (same incarnation).
 */
export function confirmGrowth(failedSlopes: readonly Check[], trends: readonly ServerTrend[], samples: readonly Sample[], fromMs: number): Check[] {
  return failedSlopes.filter((c) => {
    const tr = trends.find((x) => x.server === c.server);
    const inc = tr?.incarnations.find((i) => i.incarnation === c.incarnation);
    if (inc === undefined) return true;
    const later = samples.filter((s) => s.server === c.server && s.incarnation === inc.incarnation && s.t >= fromMs);
    return !later.some((s) => s.rssMiB <= inc.highWaterMiB);
  });
}

/** One line per check: value, bound and the fraction of the bound used. */
export function formatChecks(checks: readonly Check[]): string {
  return checks
    .map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.server} ${c.name}: ${c.detail}; bound ${c.bound.toFixed(2)}, margin ${(c.value / c.bound).toFixed(2)}x`)
    .join('\n');
}

export function formatTrends(rows: readonly ServerTrend[]): string {
  return rows
    .map((r) => {
      const incs = r.incarnations
        .map((i) => `  inc ${i.incarnation} from ${(i.startMs / 1000).toFixed(0)} s: ${i.samples} pts, RSS ${i.rssMin.toFixed(0)}-${i.rssMax.toFixed(0)} MiB, envelope slope ${i.envelopeSlope.toFixed(2)} MiB/min over ${i.envelope.length} windows${i.judged ? '' : ' (not judged)'}, raw slope ${i.rawSlope.toFixed(2)}`)
        .join('\n');
      return `${r.server}: disk slope ${r.diskSlope.toFixed(3)} MiB/min, min ${r.diskMin.toFixed(2)}, max ${r.diskMax.toFixed(2)}, tail min ${r.diskTailMin.toFixed(2)} MiB\n${incs}`;
    })
    .join('\n');
}
