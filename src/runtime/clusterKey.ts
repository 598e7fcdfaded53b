/**
 * The cluster key as a user gives it (§9.1): `--key`, or `OFP_KEY`. Absent is
 * no key; empty or short is an error, never a quiet fall-back to no security.
 * And what a master or server without a key may do (§9.6): listen on loopback,
 * with one warning line, and nowhere else unless told `--insecure`.
 */
import { MIN_KEY_LENGTH } from '../protocol/constants.js';
import { utf8Length } from '../protocol/fields.js';
import { isLoopback } from './resolve.js';
import { UsageError } from '../errors.js';

/** The key to use, or undefined for none. Throws `bad-key`. */
export function clusterKey(given: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (given === undefined) {
    if (env.OFP_KEY === '') throw new UsageError('bad-key', 'OFP_KEY is set but empty: an empty key is not "no key"; unset it to run without a key, or give one of at least 16 bytes');
    return undefined;
  }
  const bytes = utf8Length(given);
  if (bytes === 0) throw new UsageError('bad-key', 'the cluster key is empty: an empty key is not "no key"; leave --key and OFP_KEY out to run without one');
  if (bytes < MIN_KEY_LENGTH) {
    throw new UsageError('bad-key', `the cluster key is ${bytes} bytes: give at least ${MIN_KEY_LENGTH} (a few words, or the output of openssl rand -hex 16)`);
  }
  return given;
}

/** What a role without a key says at start on loopback; throws `insecure` when it would listen beyond it unasked. */
export function keylessWarning(role: 'master' | 'server', host: string, key: string | undefined, insecure: boolean): string | undefined {
  if (key !== undefined) return undefined;
  if (!isLoopback(host) && !insecure) {
    throw new UsageError('insecure', `${role} on ${host} without a cluster key: anyone who reaches it can register fake servers, drain, overload and move streams (§9.6); give --key (or OFP_KEY), or --insecure to run it open anyway`);
  }
  return `no cluster key: any ${isLoopback(host) ? 'local process' : 'host that reaches it'} can register servers with this ${role === 'master' ? 'master' : "server's master"}, drain, overload and move streams; set OFP_KEY on every role (§9.6)`;
}
