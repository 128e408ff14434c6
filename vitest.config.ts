import { defineConfig } from 'vitest/config';

// Two tiers (npm test runs both, after build, lint and type-check):
// - test/unit (npm run test:unit): no root, no Debian packages, no process of its own beyond the
//   built CLI it runs on fixtures; test/unit/tiers.test.ts keeps live helpers out of it.
// - test/live (npm run test:live): real processes, ptys, sshd and daemons.
// Both run the built CLI (bin/daemon-check.js), so their scripts build first.
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
