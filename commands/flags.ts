/**
 * Flags that several commands share. Every flag has an environment variable:
 * `OFP_<COMMAND>_<FLAG>`, except the cluster key and the log level, which a
 * whole cluster shares (`OFP_KEY`, `OFP_LOG_LEVEL`).
 */
import * as Flags from '@oclif/core/flags';
import { LOG_LEVELS, type OutputMode } from '../src/runtime/output.js';
import { MIN_KEY_LENGTH, RATE_LIMIT, RATE_LIMIT_BURST } from '../src/protocol/constants.js';
import { UsageError } from '../src/errors.js';
import { DEFAULT_MASTER } from '../src/runtime/defaults.js';

/** `--log-level`: typed as a LogLevel by its options, so no command casts it. */
export const logLevel = Flags.option({
  description: 'Events shown: debug adds every dropped datagram and state change.',
  options: LOG_LEVELS,
  default: 'info',
  env: 'OFP_LOG_LEVEL',
  helpGroup: 'OUTPUT',
})();

export const key = Flags.string({
  description: `Cluster key, at least ${MIN_KEY_LENGTH} bytes: master and servers authenticate control messages and stream tokens with it. Prefer the environment variable (a command line is visible to other users).`,
  env: 'OFP_KEY',
});

/** Where `ofp master` listens when not told otherwise, and so where every command finds it by default. */
export { DEFAULT_MASTER };

/** `--master` of every command that talks to a master. */
export function masterFlag(description = 'The master, HOST:PORT.') {
  return Flags.string({ description, default: DEFAULT_MASTER });
}

/** `--insecure` of the roles that take control messages: `ofp master`, `ofp server` (§9.6). */
export function insecure() {
  return Flags.boolean({ description: 'Listen on an address beyond loopback without a cluster key: anyone who reaches it can register fake servers, drain and move streams. Without a key on loopback, the role only warns.' });
}

/** `--rate-limit` of the roles that take datagrams from anyone: `ofp master`, `ofp server` (§9.5). */
export function rateLimit() {
  return Flags.string({ description: `Per-source limit on the datagrams this role takes, before it decodes them: off, on (${RATE_LIMIT}/s with bursts of ${RATE_LIMIT_BURST}), N/s (bursts of 2N) or N/s:BURST. Datagrams over the limit are dropped, counted and reported as rate-limited events (once a second per source).`, default: 'off' });
}

export function json(o: { stream: boolean } = { stream: true }) {
  return Flags.boolean({
    description: 'Print one JSON document at the end (log lines stay on stderr).',
    ...(o.stream ? { exclusive: ['json-stream'] } : {}),
    helpGroup: 'OUTPUT',
  });
}

export function jsonStream() {
  return Flags.boolean({
    description: 'Print one JSON object per line on stdout, {"event","t","data"}; the first is `listening`.',
    exclusive: ['json'],
    helpGroup: 'OUTPUT',
  });
}

export function outputMode(f: { json?: boolean; 'json-stream'?: boolean }): OutputMode {
  if (f.json && f['json-stream']) throw new UsageError('usage', '--json and --json-stream exclude each other: choose one');
  return f.json ? 'json' : f['json-stream'] ? 'json-stream' : 'human';
}

/** What every command that sends the master a `control` takes: where the master is, the key, retries, output. */
export function controlFlags() {
  return {
    master: masterFlag(),
    key,
    attempts: Flags.integer({ description: 'Tries before giving up.', default: 3, min: 1, max: 100 }),
    wait: Flags.string({ description: 'Wait for an answer to each try (ms, or with a unit: 1s).', default: '700' }),
    json: Flags.boolean({ description: 'Print the master\'s answer as one JSON document.', helpGroup: 'OUTPUT' }),
    'log-level': logLevel,
  };
}
