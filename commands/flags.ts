/**
 * Flags that several commands share. Every flag has an environment variable:
 * `OFP_<COMMAND>_<FLAG>`, except the cluster key and the log level, which a
 * whole cluster shares (`OFP_KEY`, `OFP_LOG_LEVEL`).
 */
import { Flags } from '@oclif/core';
import { LOG_LEVELS, type OutputMode } from '../src/runtime/output.js';
import { RATE_LIMIT_HELP } from '../src/runtime/rateLimitFlag.js';
import { UsageError } from '../src/runtime/usageError.js';

export const logLevel = Flags.string({
  description: 'Events shown: debug adds every dropped datagram and state change.',
  options: [...LOG_LEVELS],
  default: 'info',
  env: 'OFP_LOG_LEVEL',
  helpGroup: 'OUTPUT',
});

export const key = Flags.string({
  description: 'Cluster key: master and servers authenticate control messages and stream tokens with it. Prefer the environment variable (a command line is visible to other users).',
  env: 'OFP_KEY',
});

/** `--rate-limit` of the roles that take datagrams from anyone: `ofp master`, `ofp server` (§9.5). */
export function rateLimit(scope: string) {
  return Flags.string({ description: RATE_LIMIT_HELP, default: 'off', env: `OFP_${scope}_RATE_LIMIT` });
}

export function json(scope: string) {
  return Flags.boolean({
    description: 'Print one JSON document at the end (log lines stay on stderr).',
    env: `OFP_${scope}_JSON`,
    exclusive: ['json-stream'],
    helpGroup: 'OUTPUT',
  });
}

export function jsonStream(scope: string) {
  return Flags.boolean({
    description: 'Print one JSON object per line on stdout, {"event","t","data"}; the first is `listening`.',
    env: `OFP_${scope}_JSON_STREAM`,
    exclusive: ['json'],
    helpGroup: 'OUTPUT',
  });
}

export function outputMode(f: { json?: boolean; 'json-stream'?: boolean }): OutputMode {
  if (f.json && f['json-stream']) throw new UsageError('usage', '--json and --json-stream exclude each other: choose one');
  return f.json ? 'json' : f['json-stream'] ? 'json-stream' : 'human';
}

/** What every command that sends the master a `control` takes: where the master is, the key, retries, output. */
export function controlFlags(scope: string) {
  return {
    master: Flags.string({ description: 'The master, HOST:PORT.', required: true, env: `OFP_${scope}_MASTER` }),
    key,
    attempts: Flags.integer({ description: 'Tries before giving up.', default: 3, min: 1, max: 100, env: `OFP_${scope}_ATTEMPTS` }),
    wait: Flags.string({ description: 'Wait for an answer to each try (ms, or with a unit: 1s).', default: '700', env: `OFP_${scope}_WAIT` }),
    json: Flags.boolean({ description: 'Print the master\'s answer as one JSON document.', env: `OFP_${scope}_JSON`, helpGroup: 'OUTPUT' }),
    'log-level': logLevel,
  };
}
