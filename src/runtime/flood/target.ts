/**
 * Where `ofp tool flood` may aim: loopback only (127.0.0.0/8 or ::1), so the
 * tool can load a role on this host and nothing else.
 */
import { isIPv6 } from 'node:net';
import { formatAddress, parseAddress } from '../../protocol/address.js';
import { isLoopback } from '../resolve.js';
import { UsageError } from '../../errors.js';

export interface FloodTarget {
  readonly host: string;
  readonly port: number;
  /** `host:port` as the cores write it. */
  readonly address: string;
  readonly family: 4 | 6;
}


/** The target, or a usage error (exit 2) when it is not HOST:PORT on loopback. */
export function parseFloodTarget(text: string): FloodTarget {
  const ep = parseAddress(text.trim());
  if (!ep) throw new UsageError('bad-address', `--target ${JSON.stringify(text)} is not HOST:PORT (IPv6 in brackets: [::1]:7700)`);
  const host = ep.host === 'localhost' ? '127.0.0.1' : ep.host;
  if (!isLoopback(host)) {
    throw new UsageError('bad-address', `--target ${text}: ofp tool flood only aims at this host's loopback (127.0.0.0/8 or ::1), never at another host`);
  }
  const family = isIPv6(host) ? 6 : 4;
  return { host, port: ep.port, address: formatAddress(host, ep.port), family };
}
