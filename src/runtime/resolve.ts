/**
 * Turn what users type (`localhost:7700`, `[::1]:7700`, `10.0.0.5`) into the
 * numeric addresses the cores compare as strings (`127.0.0.1:7700`).
 */
import { lookup } from 'node:dns/promises';
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { formatAddress, parseAddress } from '../protocol/address.js';
import { UsageError } from '../errors.js';

export type Family = 4 | 6;

export interface ResolvedHost {
  readonly host: string;
  readonly family: Family;
}

export interface ResolvedEndpoint extends ResolvedHost {
  readonly port: number;
  /** `ip:port`, `[v6]:port`: the form the cores use. */
  readonly address: string;
}

const LOOKUP_TIMEOUT = 5_000;

/** A host name or IP literal (no port), resolved to one numeric address. */
export async function resolveHost(text: string, what: string, family?: Family): Promise<ResolvedHost> {
  const host = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (host.length === 0) throw new UsageError('bad-address', `${what} is empty: give a host name or an IP address`);
  const literal = isIP(host);
  if (literal !== 0) {
    if (family !== undefined && literal !== family) {
      throw new UsageError('bad-address', `${what} ${text} is IPv${literal} but the other addresses are IPv${family}: use one family`);
    }
    return { host, family: literal as Family };
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    const found = await Promise.race([
      lookup(host, family ? { family } : {}),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${LOOKUP_TIMEOUT / 1000} s`)), LOOKUP_TIMEOUT);
        timer.unref();
      }),
    ]);
    return { host: found.address, family: found.family as Family };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new UsageError('unresolvable-host', `${what} ${text} does not resolve (${why}): give an IP address or a name your resolver knows`);
  } finally {
    clearTimeout(timer);
  }
}

/** `HOST:PORT` resolved to a numeric endpoint. */
export async function resolveEndpoint(text: string, what: string, family?: Family): Promise<ResolvedEndpoint> {
  const parsed = parseAddress(text.trim());
  if (!parsed) {
    throw new UsageError('bad-address', `${what} ${JSON.stringify(text)} is not HOST:PORT (IPv6 as [::1]:7700, port 1-65535)`);
  }
  const h = await resolveHost(parsed.host, what, family);
  return { ...h, port: parsed.port, address: formatAddress(h.host, parsed.port) };
}

/** A comma-separated list of `HOST:PORT`, all of one address family (one socket reaches them all): `family`, or the first one's. */
export async function resolveEndpoints(list: string, what: string, family?: Family): Promise<ResolvedEndpoint[]> {
  const items = list.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new UsageError('bad-address', `${what} is empty: give HOST:PORT[,HOST:PORT…]`);
  const out: ResolvedEndpoint[] = [];
  for (const item of items) out.push(await resolveEndpoint(item, what, out[0]?.family ?? family));
  return out;
}

/** 127.0.0.0/8, ::1 (in any of its spellings) and `localhost`. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIPv4(host)) return host.split('.')[0] === '127';
  if (isIPv6(host)) return host === '::ffff:127.0.0.1' || host === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(host);
  return false;
}

export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** The address a client-side socket binds to: loopback when every peer is on loopback. */
export function localBindHost(peers: readonly ResolvedHost[]): string {
  const family = peers[0]?.family ?? 4;
  const local = peers.every((p) => isLoopback(p.host));
  if (family === 6) return local ? '::1' : '::';
  return local ? '127.0.0.1' : '0.0.0.0';
}
