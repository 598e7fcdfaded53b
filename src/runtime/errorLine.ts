/**
 * The one line the CLI prints for an error, `error <code>: <what was wrong
 * and what to do>`: a local error's code (src/errors.ts) or a protocol
 * outcome's (src/protocol/errors.ts). Codes are stable: scripts may match on them.
 */
import { termSafe } from './termSafe.js';

export function errorLine(code: string, message: string): string {
  return `error ${code}: ${termSafe(message.replace(/\s*\n\s*/g, '; '))}`;
}
