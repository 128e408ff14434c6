import { defineConfig } from 'vitest/config';

// Test files that leave things behind on purpose, each run alone by test/live/leak-check.test.ts,
// under the same leak checks as the real suite (vitest.config.ts at the top).
export default defineConfig({
  test: {
    include: ['*.test.ts'],
    setupFiles: ['../../setup/file-check.ts'],
    globalSetup: ['../../setup/host-check.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 30_000,
  },
});
