import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * One test file more than the machine has cores: most of the end-to-end files wait on real time (a
 * stream plays at its rate), so the simulator's files, which only compute, fill the time they wait.
 * On two cores, three files at a time took vitest from 204 s to 184 s idle, and from 239 s to
 * 204 s with a CPU-bound process on one core beside it. The processes the files start still take
 * their turn machine-wide (test/helpers/startSlots.ts). The floods and the quick benchmark run last, one
 * after the other and alone: they load the machine on purpose (a flood beside a real-mode fault
 * test made its servers miss their deadlines), and the benchmark measures how much a server sustains.
 * The bundled catalog scenario in real mode runs alone too: it expects every client of B to stay on the one
 * server the master chose, which holds only while no process of the run (its relay included) is held
 * up past the 500 ms server-silence timeout; beside the suite's other files, its first client was
 * twice seen moved to another server.
 */
const ALONE = ['test/bench.test.ts', 'test/e2e/flood.test.ts', 'test/testbed-real/bundled.test.ts'];
const WORKERS = Math.max(3, availableParallelism() + 1);

/**
 * The files that take longest, as measured on two cores (10–23 s each), start first. Vitest orders
 * files by their last durations, which a fresh clone does not have: it orders them by size then, and
 * a short file that runs long (the bundled scenarios loop over every scenario) was the last to end,
 * alone, while the other workers sat idle.
 */
const SLOW_FIRST = [
  'test/e2e/faults.test.ts',
  'test/e2e/operator.test.ts',
  'test/e2e/demo.test.ts',
  'test/e2e/dashboard.test.ts',
  'test/testbed/bundled.test.ts',
  'test/testbed/cli.test.ts',
  'test/e2e/unreachable.test.ts',
  'test/runtime/dashboard.feed.test.ts',
  'test/e2e/handoff.test.ts',
  'test/testbed-real/faults.test.ts',
];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((s) => f.moduleId.endsWith(s));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    return base.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map((x) => x.f);
  }
}

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
    sequence: { sequencer: SlowFirst },
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
