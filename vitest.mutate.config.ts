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
    testTimeout: 60_000,
  },
});
