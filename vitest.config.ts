import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
    // Finds the container engine for test/containers/ once per run and prints one line on where they run or why not.
    globalSetup: ['test/containers/global-setup.ts'],
  },
});
