/**
 * Every error ofp throws on its own account, in one place: one root,
 * OfpError, and one subclass per kind of failure, each with a stable `code`
 * (as nodejs/undici's lib/core/errors.js). A command prints one as
 * `error <code>: <message>` and exits with the code's status; scripts may
 * match on the code. Protocol errors are not thrown: they are codes in results
 * and on the wire, in the error table of src/protocol/errors.ts (spec §8);
 * no local code is one of them.
 *
 * This file imports nothing, so every layer may throw these.
 */

/** Exit statuses (the README's table): 1 it ran but failed, 2 a usage or input error, 3 an internal or harness failure, 130 interrupted. */
export type ExitStatus = 1 | 2 | 3 | 130;

interface LocalErrorInfo {
  /** The class that carries the code. */
  readonly error: string;
  readonly exit: ExitStatus;
  readonly doc: string;
}

export const LOCAL_ERRORS = {
  // The user's to fix: a flag, an argument, a file named on the command line.
  'usage': { error: 'UsageError', exit: 2, doc: 'A flag or argument is missing, unknown or malformed.' },
  'bad-rate': { error: 'UsageError', exit: 2, doc: 'A rate is not a number of bits per second (4M, 4000k, 4000000).' },
  'bad-duration': { error: 'UsageError', exit: 2, doc: 'A duration is not a number of seconds or milliseconds.' },
  'bad-address': { error: 'UsageError', exit: 2, doc: 'An address is not HOST:PORT.' },
  'unresolvable-host': { error: 'UsageError', exit: 2, doc: 'A host name does not resolve.' },
  'bad-media': { error: 'UsageError', exit: 2, doc: 'The media directory or a media file cannot be used.' },
  'bad-sidecar': { error: 'UsageError', exit: 2, doc: 'A `.ofp.json` sidecar is not valid.' },
  'bad-manifest': { error: 'UsageError', exit: 2, doc: 'A `.ofp-item.json` manifest of a media item of several flows is not valid.' },
  'file-exists': { error: 'UsageError', exit: 2, doc: 'The output file exists and --force was not given.' },
  'cannot-write': { error: 'UsageError', exit: 2, doc: 'The output cannot be written.' },
  'cannot-bind': { error: 'UsageError', exit: 2, doc: 'The socket cannot be bound (address in use or not local).' },
  'bad-key': { error: 'UsageError', exit: 2, doc: 'The cluster key is empty or shorter than MIN_KEY_LENGTH bytes.' },
  'insecure': { error: 'UsageError', exit: 2, doc: 'A master or server would listen beyond loopback without a cluster key (give --key, or --insecure).' },
  'unknown-command': { error: 'UsageError', exit: 2, doc: 'No such command.' },
  'bad-scenario': { error: 'ScenarioError', exit: 2, doc: 'A testbed scenario is not valid: each problem names its file:line:col.' },
  // It ran, and failed.
  'no-answer': { error: 'NoAnswerError', exit: 1, doc: 'A master did not answer a status query or an operator\'s order (or answered without a valid MAC).' },
  'bad-flow-name': { error: 'CopyRefused', exit: 1, doc: 'The server names the flows of an item so that one is not a plain file name (§10.2): the copy is not made.' },
  // The testbed could not make its run.
  'harness': { error: 'HarnessError', exit: 3, doc: 'The testbed could not do its part of a run: a role that cannot start, media or artifacts that cannot be written, real mode that cannot be loaded.' },
  // A bug of ofp's own.
  'illegal-transition': { error: 'IllegalTransition', exit: 3, doc: 'A role core tried a move its state table does not have: a bug, never a fallback.' },
  'interrupted': { error: 'RunInterrupted', exit: 130, doc: 'A testbed run was stopped (Ctrl-C, SIGTERM, an abort) before its verdict; every process it started is gone.' },
} as const satisfies Record<string, LocalErrorInfo>;

export type LocalErrorCode = keyof typeof LOCAL_ERRORS;

/** The codes the class named `N` carries. */
type CodesOf<N extends string> = { [K in LocalErrorCode]: (typeof LOCAL_ERRORS)[K]['error'] extends N ? K : never }[LocalErrorCode];

/** The root of every error ofp throws on its own account. */
export abstract class OfpError<C extends LocalErrorCode = LocalErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
  ) {
    super(message);
  }

  /** The exit status of a command that ends on this error. */
  get exit(): ExitStatus {
    return LOCAL_ERRORS[this.code].exit;
  }
}

export type UsageCode = CodesOf<'UsageError'>;

/** Something the user can fix (a bad flag, a missing file, a port in use): exit 2. */
export class UsageError extends OfpError<UsageCode> {
  override readonly name = 'UsageError';
}

/** The master did not answer; `unauthenticated`: answers came but failed the MAC check. */
export class NoAnswerError extends OfpError<'no-answer'> {
  override readonly name = 'NoAnswerError';

  constructor(
    readonly master: string,
    readonly attempts: number,
    readonly unauthenticated: number,
    what = 'a status request',
  ) {
    super('no-answer', `master ${master} did not answer ${what} after ${attempts} tries`);
  }
}

/** The copy cannot be made for a reason that is not the user's: the item's flow names are not safe file names. */
export class CopyRefused extends OfpError<'bad-flow-name'> {
  override readonly name = 'CopyRefused';

  constructor(message: string) {
    super('bad-flow-name', message);
  }
}

/** One problem of a scenario file, at its position. */
export interface ScenarioProblem {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

/** An invalid scenario: every problem found, one per line as `file:line:col: what is wrong`. */
export class ScenarioError extends OfpError<'bad-scenario'> {
  override readonly name = 'ScenarioError';
  readonly problems: readonly ScenarioProblem[];

  constructor(problems: readonly ScenarioProblem[]) {
    // In the order of the file, whatever order the checks found them in.
    problems = [...problems].sort((a, b) => (a.file === b.file ? a.line - b.line || a.col - b.col : 0));
    super('bad-scenario', problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`).join('\n'));
    this.problems = problems;
  }
}

/**
 * The testbed could not make its run, without an expectation being at fault:
 * `what` names the part that failed (a scenario node that cannot start,
 * `real mode`, `artifacts`), and the message starts with it.
 */
export class HarnessError extends OfpError<'harness'> {
  override readonly name = 'HarnessError';

  constructor(
    readonly what: string,
    message: string,
  ) {
    super('harness', `${what}: ${message}`);
  }
}

/** A testbed run was stopped before its end (an AbortSignal, Ctrl-C, SIGTERM); every process it started is gone. */
export class RunInterrupted extends OfpError<'interrupted'> {
  override readonly name = 'RunInterrupted';

  constructor(readonly reason: string) {
    super('interrupted', `the run was interrupted (${reason}); every process it started has been stopped`);
  }
}

/** A role core tried a move its state table does not have (h11's LocalProtocolError): a bug in the role, never a fallback. */
export class IllegalTransition extends OfpError<'illegal-transition'> {
  override readonly name = 'IllegalTransition';

  constructor(
    readonly table: string,
    readonly from: string,
    readonly on: string,
  ) {
    super('illegal-transition', `${table}: no move on ${on} from ${from}`);
  }
}
