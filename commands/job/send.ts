/** What `ofp job submit` and `ofp job add … copy` share: the flags of a file sent to a base server, and how they become the run's options. */
import * as Flags from '@oclif/core/flags';
import { json, jsonStream, key, logLevel, outputMode } from '../flags.js';
import type { LogLevel } from '../../src/runtime/output.js';

/** `copy`: `add` prefixes the file's flags with the command they apply to. */
export function sendFlags(o: { readonly prefix: string; readonly rate: string; readonly wait: string }) {
  const say = (text: string) => (o.prefix ? o.prefix + text : text[0]!.toUpperCase() + text.slice(1));
  return {
    base: Flags.string({ description: 'The base server, HOST:PORT.', default: '127.0.0.1:7900' }),
    as: Flags.string({ description: say("the name the file takes at the targets (one plain file name); FILE's own name by default.") }),
    rate: Flags.string({ description: say(o.rate) }),
    'media-rate': Flags.string({ description: say("the bitrate the servers stream the file at, bits/s; FILE's sidecar (FILE.ofp.json) by default, else each server's --default-rate.") }),
    wait: Flags.boolean({ description: o.wait }),
    key,
    json: json(),
    'json-stream': jsonStream(),
    'log-level': logLevel,
  };
}

type Parsed = { base: string; as?: string | undefined; rate?: string | undefined; 'media-rate'?: string | undefined; wait: boolean; key?: string | undefined; json?: boolean; 'json-stream'?: boolean; 'log-level': string };

/** The options every sending run takes, from its parsed flags. */
export function sendOptions(flags: Parsed) {
  return {
    base: flags.base,
    ...(flags.as !== undefined ? { as: flags.as } : {}),
    ...(flags.rate !== undefined ? { rate: flags.rate } : {}),
    ...(flags['media-rate'] !== undefined ? { mediaRate: flags['media-rate'] } : {}),
    wait: flags.wait,
    ...(flags.key !== undefined ? { key: flags.key } : {}),
    output: outputMode(flags),
    logLevel: flags['log-level'] as LogLevel,
  };
}
