import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Two test files at a time even on two cores: most of the end-to-end files wait on real time (a
 * stream plays at its rate), so two of them overlap well, and the processes they start take their
 * turn machine-wide (test/helpers/startSlots.ts). The floods and the quick benchmark run last, one
 * after the other and alone: they load the machine on purpose (a flood beside a real-mode fault
 * test made its servers miss their deadlines), and the benchmark measures how much a server sustains.
 * The bundled catalog scenario in real mode runs alone too: it expects every client of B to stay on the one
 * server the master chose, which holds only while no process of the run (its relay included) is held
 * up past the 500 ms server-silence timeout; beside the suite's other files, its first client was
 * twice seen moved to another server.
 */
const ALONE = ['test/bench.test.ts', 'test/e2e/flood.test.ts', 'test/testbed-real/bundled.test.ts'];
const WORKERS = Math.max(2, availableParallelism() - 1);

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each file in a fresh worker (vitest's default isolation). Sharing workers between files saved
    // their loading, but the real-mode testbed runs its relay inside the worker, and in a worker
    // grown by the files before it, every stream of a real-mode run at once was seen to miss the
    // 500 ms server-silence timeout and move for nothing.
    isolate: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ALONE,
          maxWorkers: WORKERS,
        },
      },
      {
        extends: true,
        test: {
          name: 'alone',
          include: ALONE,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
