/** What the commands assume when not told otherwise (a module of its own: `--help` loads it, and nothing more). */

/** The master a command talks to when it is given none: `--master` by default, where `ofp master` listens by default. */
export const DEFAULT_MASTER = '127.0.0.1:7700';

/** The media rate of a file with no sidecar, bits per second: `ofp server --default-rate`'s default. */
export const DEFAULT_MEDIA_RATE = 4_000_000;
