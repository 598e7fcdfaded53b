/** `ofp nosuch`: one line and exit status 2, as for every other usage error, with the command meant when it looks like a typo. */
import type { Hook } from '@oclif/core/hooks';
import { errorLine } from '../../src/runtime/errorLine.js';
import { nearest } from '../../src/text/nearest.js';

const hook: Hook<'command_not_found'> = async function (opts) {
  // oclif's id runs on into the arguments (`client:gett:A.ts`): the command meant is the longest run of words close to one.
  const words = opts.id.split(':');
  const known = this.config.commandIDs.map((id) => id.split(':').join(' '));
  let typed = words.join(' ');
  let near: string | undefined;
  for (let n = words.length; n > 0 && !near; n--) {
    near = nearest(words.slice(0, n).join(' '), known);
    if (near) typed = words.slice(0, n).join(' ');
  }
  process.stderr.write(errorLine('unknown-command', `"${typed}" is not an ofp command${near ? ` (did you mean ofp ${near}?)` : ''}: see ofp --help`) + '\n');
  process.exitCode = 2;
  return undefined;
};

export default hook;
