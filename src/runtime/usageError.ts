/**
 * Errors a user can cause (a bad flag, a missing file, a port in use). The CLI
 * prints them as one line, `error <code>: <what was wrong and what to do>`,
 * and exits 2. Codes are stable: scripts may match on them.
 */
export const USAGE_CODES = {
  'usage': 'A flag or argument is missing, unknown or malformed.',
  'bad-rate': 'A rate is not a number of bits per second (4M, 4000k, 4000000).',
  'bad-duration': 'A duration is not a number of seconds or milliseconds.',
  'bad-address': 'An address is not HOST:PORT.',
  'unresolvable-host': 'A host name does not resolve.',
  'bad-media': 'The media directory or a media file cannot be used.',
  'bad-sidecar': 'A `.ofp.json` sidecar is not valid.',
  'bad-manifest': 'A `.ofp-item.json` manifest of a media item of several flows is not valid.',
  'file-exists': 'The output file exists and --force was not given.',
  'cannot-write': 'The output cannot be written.',
  'cannot-bind': 'The socket cannot be bound (address in use or not local).',
  'unknown-command': 'No such command.',
} as const;

export type UsageCode = keyof typeof USAGE_CODES;

export class UsageError extends Error {
  constructor(
    readonly code: UsageCode,
    message: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The one line the CLI prints for an error. */
export function errorLine(code: string, message: string): string {
  return `error ${code}: ${message.replace(/\s*\n\s*/g, '; ')}`;
}
