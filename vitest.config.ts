import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Two test files at a time even on two cores: most of the end-to-end files wait on real time (a
 * stream plays at its rate), so two of them overlap well, and the processes they start take their
 * turn machine-wide (test/helpers/startSlots.ts). The quick benchmark runs last and alone: it
 * loads the machine on purpose, and it measures how much a server sustains.
 */
const WORKERS = Math.max(2, availableParallelism() - 1);

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ['test/bench.test.ts'],
          maxWorkers: WORKERS,
        },
      },
      {
        extends: true,
        test: {
          name: 'bench',
          include: ['test/bench.test.ts'],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
