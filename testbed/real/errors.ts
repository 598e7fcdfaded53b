/**
 * How a real-mode run fails without an expectation being at fault: the
 * harness could not do its part (a role that cannot start, media that cannot
 * be made), or the run was interrupted. `ofp testbed run` turns a
 * HarnessError into exit 3 and says which role.
 */

export class HarnessError extends Error {
  constructor(
    message: string,
    /** The scenario node that could not start, when one is at fault. */
    readonly node?: string,
  ) {
    super(node ? `${node}: ${message}` : message);
    this.name = 'HarnessError';
  }
}

/** The run was stopped before its end (an AbortSignal, Ctrl-C, SIGTERM); every process it started is gone. */
export class RunInterrupted extends Error {
  constructor(readonly reason: string) {
    super(`the run was interrupted (${reason}); every process it started has been stopped`);
    this.name = 'RunInterrupted';
  }
}
