/** `ofp nosuch`: one line and exit status 2, as for every other usage error. */
import type { Hook } from '@oclif/core';
import { errorLine } from '../../src/runtime/usageError.js';

const hook: Hook<'command_not_found'> = async function (opts) {
  const typed = opts.id.split(':').join(' ');
  process.stderr.write(errorLine('unknown-command', `"${typed}" is not an ofp command: see ofp --help`) + '\n');
  process.exitCode = 2;
  return undefined;
};

export default hook;
