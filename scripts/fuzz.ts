/**
 * `npm run fuzz`: runs every parser fuzz target (test/helpers/fuzz-targets.ts) and the edge
 * targets (test/helpers/fuzz-edges.ts: special files, size amplification) for many cases and
 * reports cases, failures, time and the slowest case. Usage: tsx scripts/fuzz.ts [cases] [seed]
 * (default 100 000 cases per parser, seed 1).
 */
import fc from 'fast-check';
import { EDGE_FUZZ_TARGETS, removeSpecialFiles } from '../test/helpers/fuzz-edges.js';
import { FUZZ_TARGETS, type FuzzTarget } from '../test/helpers/fuzz-targets.js';

/** Runs one target, timing every case; returns false when a case failed. */
function fuzz<T>(target: FuzzTarget<T>, numRuns: number, seed: number): boolean {
  let slowest = 0;
  const started = performance.now();
  const details = fc.check(
    fc.property(target.inputs, (input) => {
      const start = performance.now();
      try {
        target.check(input);
      } finally {
        slowest = Math.max(slowest, performance.now() - start);
      }
    }),
    { numRuns, seed },
  );
  const seconds = (performance.now() - started) / 1000;
  const status = details.failed ? 'FAILED' : '0 failures';
  console.log(
    `${target.name}: ${details.numRuns} cases, ${status}, ${seconds.toFixed(1)} s, slowest case ${slowest.toFixed(1)} ms`,
  );
  if (details.failed) {
    console.log(`  counterexample (seed ${seed}, path ${details.counterexamplePath}):`);
    console.log(`  ${fc.stringify(details.counterexample)}`);
    console.log(`  ${String(details.errorInstance)}`);
  }
  return !details.failed;
}

const numRuns = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? 1);
let passed = true;
for (const target of [...FUZZ_TARGETS, ...EDGE_FUZZ_TARGETS]) {
  passed = fuzz(target, numRuns, seed) && passed;
}
removeSpecialFiles();
process.exitCode = passed ? 0 : 1;
