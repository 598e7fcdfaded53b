/**
 * What every ofp command shares: errors a user can cause are one line,
 * `error <code>: …`, with exit status 2; anything else is ours (exit 3).
 */
import { Command, Errors } from '@oclif/core';
import { errorLine, UsageError } from '../src/runtime/usageError.js';

/** Exit statuses (documented in the README): 0 ok, 1 expectation failed, 2 usage or input error, 3 internal failure. */
export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 3 } as const;

export abstract class OfpCommand extends Command {
  /** How the command is typed, for messages: `client get`. */
  protected get typed(): string {
    return (this.id ?? '').split(':').join(' ');
  }

  protected override async catch(err: Error & { parse?: unknown; oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof Errors.ExitError) throw err;
    if (err instanceof UsageError) {
      process.stderr.write(errorLine(err.code, err.message) + '\n');
      process.exitCode = EXIT.usage;
      return undefined;
    }
    if (err.parse !== undefined || err instanceof Errors.CLIError) {
      this.parsed = true; // it was parsed, and refused: oclif need not warn that parsing never happened
      // oclif's parser errors: keep the words, drop its "see more help" lines.
      const words = err.message.split('\n').map((l) => l.trim())
        .filter((l) => l && !/^See more help/i.test(l) && !/^The following errors? occurred:?$/i.test(l))
        .map((l) => l.replace(/^The following errors? occurred:\s*/i, ''))
        .join('; ')
        .replace(/Parsing (--[\w-]+);? /g, '$1: ');
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
