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
      'test/data/idx.test.ts',
    ],
    // Seconds-long proofs on large networks: the small ones in test/nn exercise the same code.
    exclude: ['test/nn/gradcheck-large.test.ts'],
    // Instrumented code runs many times slower than plain code.
    testTimeout: 600_000,
  },
});
