/** What the commands assume when not told otherwise (a module of its own: `--help` loads it, and nothing more). */

/** The master a command talks to when it is given none: `--master` by default, where `ofp master` listens by default. */
export const DEFAULT_MASTER = '127.0.0.1:7700';
