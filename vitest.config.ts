import { defineConfig } from 'vitest/config';
import LongestFirst from './test/support/longest-first.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Three files at a time on a 2-core machine: most integration tests wait on timers, pacing,
    // simulated rollouts and child processes, and with two files the CPU still idled a quarter of
    // the run (the suite's wall time went from about 430 s to 350 s with a third file).
    maxWorkers: 3,
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        // Next to the code: no Redis, no child processes, no servers, so no global setup; and
        // nothing a file leaves behind for the next, so a worker runs its files one after another
        // in one process instead of loading the product's modules again for each file.
        extends: true,
        test: { name: 'unit', include: ['src/**/*.test.ts'], isolate: false },
      },
      {
        // Whole flows against real Redis (one embedded redis-server for the run) and the fakes.
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
