import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'entrypoints/web/test/**/*.test.{ts,tsx}'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The skip summary prints after the default reporter: every skipped test grouped by its reason (test/support/skip-reason.ts).
    reporters: ['default', './test/support/skip-summary-reporter.ts'],
    // Finds the container engine for test/containers/ once per run and prints one line on where they run or why not.
    globalSetup: ['test/containers/global-setup.ts'],
  },
});
