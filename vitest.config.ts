import { configDefaults, defineConfig } from 'vitest/config';

// Two tiers (npm test runs both, after build, lint and type-check):
// - test/unit (npm run test:unit): no root, no Debian packages, no process of its own beyond the
//   built CLI it runs on fixtures; test/unit/tiers.test.ts keeps live helpers out of it.
// - test/live (npm run test:live): real processes, ptys, sshd and daemons.
// Both run the built CLI (bin/daemon-check.js), so their scripts build first.
// The leak checks (CONTRIBUTING.md, "Nothing left behind"): a test file that leaves a process it
// started fails (test/setup/file-check.ts), and so does a run that leaves a process, cgroup,
// tracefs instance or pty on the host (test/setup/host-check.ts).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Test files that leak on purpose, run only by test/live/leak-check.test.ts in a vitest of their own.
    exclude: [...configDefaults.exclude, 'test/live/fixtures-leak/**'],
    setupFiles: ['test/setup/file-check.ts'],
    globalSetup: ['test/setup/host-check.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Live tests start real processes and ptys; two cores, so keep files in a small pool.
    // forks, not threads: the file check's marker lives in process.env, one per worker process.
    pool: 'forks',
    maxWorkers: 2,
  },
});
