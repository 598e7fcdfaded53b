/**
 * What every ofp command shares: an OfpError (src/errors.ts) is one line,
 * `error <code>: …`, with its code's exit status (2 for the errors a user can
 * cause); anything else is ours (exit 3).
 */
import { Command } from '@oclif/core/command';
import * as Errors from '@oclif/core/errors';
import { errorLine } from '../src/runtime/errorLine.js';
import { OfpError } from '../src/errors.js';
import { nearest } from '../src/text/nearest.js';

/** Exit statuses (documented in the README): 0 ok, 1 expectation failed, 2 usage or input error, 3 internal failure. */
export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 3 } as const;

export abstract class OfpCommand extends Command {
  /** How the command is typed, for messages: `client get`. */
  protected get typed(): string {
    return (this.id ?? '').split(':').join(' ');
  }

  protected override async catch(err: Error & { parse?: unknown; oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof Errors.ExitError) throw err;
    if (err instanceof OfpError) {
      process.stderr.write(errorLine(err.code, err.message) + '\n');
      process.exitCode = err.exit;
      return undefined;
    }
    if (err.parse !== undefined || err instanceof Errors.CLIError) {
      this.parsed = true; // it was parsed, and refused: oclif need not warn that parsing never happened
      // oclif's parser errors: keep the words, drop its "see more help" lines.
      const words = err.message.split('\n').map((l) => l.trim())
        .filter((l) => l && !/^See more help/i.test(l) && !/^The following errors? occurred:?$/i.test(l))
        .map((l) => l.replace(/^The following errors? occurred:\s*/i, '').replace(/\s{2,}/g, ': '))
        .join('; ')
        // `Missing 1 required arg:` and the argument on the next line: one phrase.
        .replace(/:; /g, ': ')
        .replace(/Parsing (--[\w-]+);? /g, '$1: ')
        .replace(/Nonexistent flags?: ([^;]+)/, (all, list: string) => {
          const known = Object.keys(this.ctor.flags ?? {}).map((f) => `--${f}`);
          const hints = list.split(/,\s*/).map((f) => nearest(f.split('=')[0]!, known)).filter((x): x is string => x !== undefined);
          return hints.length ? `${all} (did you mean ${hints.join(', ')}?)` : all;
        });
      process.stderr.write(errorLine('usage', `${words}; see ofp ${this.typed} --help`) + '\n');
      process.exitCode = EXIT.usage;
      return undefined;
    }
    process.stderr.write(errorLine('internal', `${err.message || String(err)} (a bug in ofp: please report it${process.env.OFP_DEBUG ? '' : '; OFP_DEBUG=1 shows the stack'})`) + '\n');
    if (process.env.OFP_DEBUG) process.stderr.write(`${err.stack}\n`);
    process.exitCode = EXIT.internal;
    return undefined;
  }
}
