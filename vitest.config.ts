import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Live tests start real processes and ptys; two cores, so keep files in a small pool.
    pool: 'forks',
    maxWorkers: 2,
  },
});
