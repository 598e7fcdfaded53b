/**
 * The one root of local errors (src/errors.ts): every error class is an
 * OfpError with a stable code of its own, and the codes users see (printed as
 * `error <code>: …`, mapped to exit statuses) stay what they are.
 */
import { describe, expect, it } from 'vitest';
import * as errors from '../src/errors.js';
import { CopyRefused, HarnessError, IllegalTransition, LOCAL_ERRORS, type LocalErrorCode, NoAnswerError, OfpError, RunInterrupted, ScenarioError, UsageError } from '../src/errors.js';
import { ERRORS } from '../src/protocol/errors.js';

/** One of each class, as the code makes them. */
const samples: readonly OfpError[] = [
  new UsageError('bad-rate', '--bitrate "fast" is not a rate'),
  new NoAnswerError('127.0.0.1:7700', 3, 0),
  new CopyRefused('the server names the flows of A so that one is ".."'),
  new ScenarioError([{ file: 'a.yaml', line: 2, col: 3, message: 'unknown key' }]),
  new HarnessError('s1', 'could not start'),
  new RunInterrupted('SIGINT'),
  new IllegalTransition('client', 'stopped', 'server-failed'),
];

/** Every code and its exit status: scripts match on these, so they only ever grow. */
const STABLE: Record<LocalErrorCode, number> = {
  'usage': 2,
  'bad-rate': 2,
  'bad-duration': 2,
  'bad-address': 2,
  'unresolvable-host': 2,
  'bad-media': 2,
  'bad-sidecar': 2,
  'bad-manifest': 2,
  'file-exists': 2,
  'cannot-write': 2,
  'cannot-bind': 2,
  'bad-key': 2,
  'insecure': 2,
  'unknown-command': 2,
  'bad-scenario': 2,
  'no-answer': 1,
  'bad-flow-name': 1,
  'harness': 3,
  'illegal-transition': 3,
  'interrupted': 130,
};

/** The names of the error classes src/errors.ts exports. */
const classes = Object.entries(errors).filter(([, v]) => typeof v === 'function' && v.prototype instanceof OfpError).map(([name]) => name);

describe('local errors (src/errors.ts)', () => {
  it('every error class is a subclass of the root, and the samples cover them all', () => {
    expect([...classes].sort()).toEqual(samples.map((e) => e.name).sort());
    for (const e of samples) {
      expect(e, e.name).toBeInstanceOf(OfpError);
      expect(e, e.name).toBeInstanceOf(Error);
      expect(e.message.length, e.name).toBeGreaterThan(0);
    }
  });

  it('every class has codes of its own, named in the table, and each instance carries one of its class', () => {
    const owners = new Map<string, string>();
    for (const [code, info] of Object.entries(LOCAL_ERRORS)) owners.set(code, info.error);
    expect(new Set(owners.values())).toEqual(new Set(classes));
    for (const e of samples) expect(owners.get(e.code), `${e.name} ${e.code}`).toBe(e.name);
    // One code per class, except the user's errors, which say which input is wrong.
    for (const name of classes) {
      const codes = [...owners].filter(([, owner]) => owner === name).map(([code]) => code);
      expect(codes.length > 1, name).toBe(name === 'UsageError');
    }
  });

  it('the codes and their exit statuses are the stable ones', () => {
    expect(Object.fromEntries(Object.entries(LOCAL_ERRORS).map(([code, info]) => [code, info.exit]))).toEqual(STABLE);
    for (const e of samples) expect(e.exit, e.name).toBe(STABLE[e.code]);
  });

  it('no local code is a code of the protocol\'s error table, so `error <code>` names one thing', () => {
    expect(Object.keys(LOCAL_ERRORS).filter((c) => Object.hasOwn(ERRORS, c))).toEqual([]);
  });

  it('a harness failure names the part that failed first; a scenario error lists its problems in file order', () => {
    expect(new HarnessError('s2', 'could not start').message).toBe('s2: could not start');
    const e = new ScenarioError([{ file: 'a.yaml', line: 9, col: 1, message: 'late' }, { file: 'a.yaml', line: 2, col: 5, message: 'early' }]);
    expect(e.message).toBe('a.yaml:2:5: early\na.yaml:9:1: late');
  });
});
