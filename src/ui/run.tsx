/**
 * Run the dashboard in the terminal until the user quits. For a terminal only: when stdout is
 * not a TTY (or CI is set) print `plainStatusLine` at the refresh interval instead.
 */
import { render } from 'ink';
import { Dashboard } from './Dashboard.js';
import type { Actions, SnapshotStore } from '../view/model.js';

export { Dashboard } from './Dashboard.js';
export type { DashboardProps } from './Dashboard.js';

export interface RunDashboardOptions {
  readonly store: SnapshotStore;
  readonly actions: Actions;
  readonly readOnly: boolean;
  readonly stdin?: NodeJS.ReadStream;
  readonly stdout?: NodeJS.WriteStream;
  /** Frames per second at most (default 10). */
  readonly maxFps?: number;
  /** Route console output above the frame instead of through it (default true). */
  readonly patchConsole?: boolean;
}

export const DEFAULT_MAX_FPS = 10;

/** Resolves once the user has quit (q or ctrl-c) and the app is unmounted. */
export async function runDashboard(opts: RunDashboardOptions): Promise<void> {
  const maxFps = opts.maxFps !== undefined && opts.maxFps > 0 ? opts.maxFps : DEFAULT_MAX_FPS;
  const app = render(
    <Dashboard store={opts.store} actions={opts.actions} readOnly={opts.readOnly} frameIntervalMs={Math.ceil(1000 / maxFps)} />,
    {
      stdin: opts.stdin ?? process.stdin,
      stdout: opts.stdout ?? process.stdout,
      // The dashboard quits on ctrl-c itself, the same way as on q.
      exitOnCtrlC: false,
      // Stray console output would tear the frame; ink prints it above instead.
      patchConsole: opts.patchConsole ?? true,
      maxFps,
    },
  );
  await app.waitUntilExit();
  app.cleanup();
}
