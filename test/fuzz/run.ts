// npm run fuzz -- [--target=NAME[,NAME]] [--runs=N] [--seconds=S] [--seed=N]
// Long runs for the note (--runs=1000000); CI runs the short form in fuzz.test.ts.
import { TARGETS } from './targets.js';
import { formatReport, fuzzTarget } from './fuzz.js';

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

const names = arg('target')?.split(',');
const runs = Number(arg('runs') ?? 10_000);
const seconds = Number(arg('seconds') ?? 3600);
const seed = Number(arg('seed') ?? Date.now() % 2 ** 31);
const picked = names ? TARGETS.filter((t) => names.includes(t.name)) : TARGETS;
if (picked.length === 0) {
  console.error(`unknown target; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const t of picked) {
  const report = await fuzzTarget(t, { runs, seconds, seed, maxInputMs: 1000, maxRssBytes: 1024 * 2 ** 20 });
  console.log(formatReport(report));
  if (report.finding) failed++;
}
console.log(`fuzz: ${picked.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
