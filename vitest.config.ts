import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // CLI tests run the built dist/; build once before any test file runs.
    globalSetup: ['test/global-setup.ts'],
    // `--coverage` (CI, `npm run coverage`): what the tests run of src/, reported, no threshold.
    // Code run only in CLI subprocesses and worker threads is not counted.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
    },
  },
});
