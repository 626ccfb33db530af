import { defineConfig } from 'vitest/config';

/**
 * Fast unit tests only, for Stryker (`npm run mutate`): each surviving-or-not mutant reruns the
 * tests that cover it, so no build, no CLI processes, no browser.
 */
export default defineConfig({
  test: {
    include: [
      'test/{matrix,nn}/**/*.test.ts',
      'test/image/preprocess.test.ts',
      'test/data/idx*.test.ts',
      'test/{train,model,io}/*.test.ts',
    ],
    exclude: [
      // Seconds-long proofs on large networks: the small ones in test/nn exercise the same code.
      'test/nn/gradcheck-large.test.ts',
      // The fast engine (src/train/fast) is not mutated; these tests run it in worker threads.
      'test/train/fast-*.test.ts',
    ],
    // Instrumented code runs many times slower than plain code.
    testTimeout: 600_000,
  },
});
