/**
 * What one server, and one source host, may make a master keep (§4.6): the
 * `content` parts a `register` announces, the files and the bytes of file
 * names of one content list, the servers registered from one host. A
 * registration or a `content` part beyond a bound is refused with `error`
 * `over-limit`, and nothing of it is kept. The master reports refusals as
 * `registration-refused` events, at most once per REFUSAL_REPORT_INTERVAL per
 * source host and for at most REFUSAL_REPORTS hosts per interval: a flood of
 * registrations must not turn into a flood of events.
 */
import { parseAddress } from '../../protocol/address.js';
import {
  MAX_CANDIDATES,
  MAX_CATALOG_BYTES_PER_SERVER,
  MAX_CONTENT_PARTS,
  MAX_NAMES_PER_SERVER,
  MAX_SERVERS_PER_SOURCE,
  REFUSAL_REPORT_INTERVAL,
  REFUSAL_REPORTS,
} from '../../protocol/constants.js';
import type { MessageOf } from '../../protocol/messages.js';
import { FifoMap } from '../fifoMap.js';

export type RegistrationBound = 'parts' | 'names' | 'catalog-bytes' | 'servers-per-source';

/** Each bound: its constant and its value. */
export const REGISTRATION_BOUNDS: { readonly [B in RegistrationBound]: { readonly constant: string; readonly limit: number } } = {
  parts: { constant: 'MAX_CONTENT_PARTS', limit: MAX_CONTENT_PARTS },
  names: { constant: 'MAX_NAMES_PER_SERVER', limit: MAX_NAMES_PER_SERVER },
  'catalog-bytes': { constant: 'MAX_CATALOG_BYTES_PER_SERVER', limit: MAX_CATALOG_BYTES_PER_SERVER },
  'servers-per-source': { constant: 'MAX_SERVERS_PER_SOURCE', limit: MAX_SERVERS_PER_SOURCE },
};

/** A registration refused: the bound it would go beyond, and what it would have come to. */
export interface Refusal {
  readonly bound: RegistrationBound;
  readonly limit: number;
  readonly value: number;
}

/** The source host of an address `host:port`: its IP address, whatever the port. */
export function sourceHost(addr: string): string {
  return parseAddress(addr)?.host.toLowerCase() ?? addr;
}

/** The length of `s` in UTF-8 bytes. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      n += 4; // a surrogate pair: one code point of four bytes
      i++;
    } else n += 3;
  }
  return n;
}

/** What the server is told: the bound and what it would have come to (within MAX_ERROR_TEXT bytes). */
export function refusalText(r: Refusal): string {
  const { constant } = REGISTRATION_BOUNDS[r.bound];
  const what = r.bound === 'parts' ? `${r.value} content parts`
    : r.bound === 'names' ? `${r.value} files`
      : r.bound === 'catalog-bytes' ? `${r.value} bytes of file names`
        : `${r.value} servers from its host`;
  return `refused: ${what}, beyond ${constant} (${r.limit})`;
}

/** A content list's files so far: how many, and their names' bytes. */
export interface ListTally {
  readonly files: ReadonlyMap<string, unknown>;
  readonly catalogBytes: number;
}

interface Reported {
  at: number;
  /** Refused since this source was last reported. */
  refused: number;
}

export class RegistrationBounds {
  /** Registered servers per source host. */
  private readonly perSource = new Map<string, number>();
  private readonly reports = new FifoMap<string, Reported>(MAX_CANDIDATES);
  private windowAt = Number.NEGATIVE_INFINITY;
  private windowReports = 0;
  /** Refusals so far, per bound. */
  readonly refused: Record<RegistrationBound, number> = { parts: 0, names: 0, 'catalog-bytes': 0, 'servers-per-source': 0 };

  /** Servers registered from the host of `addr`. */
  serversFrom(addr: string): number {
    return this.perSource.get(sourceHost(addr)) ?? 0;
  }

  /** Hosts that have servers registered. */
  get sources(): number {
    return this.perSource.size;
  }

  serverAdded(addr: string): void {
    const host = sourceHost(addr);
    this.perSource.set(host, (this.perSource.get(host) ?? 0) + 1);
  }

  serverRemoved(addr: string): void {
    const host = sourceHost(addr);
    const n = (this.perSource.get(host) ?? 0) - 1;
    if (n > 0) this.perSource.set(host, n);
    else this.perSource.delete(host);
  }

  /**
   * Would one more server from `from` go beyond MAX_SERVERS_PER_SOURCE? `replaced`: the servers of
   * that host it would replace (one of its name, one at its address).
   */
  checkSource(from: string, replaced: number): Refusal | undefined {
    const after = this.serversFrom(from) - replaced + 1;
    return after > MAX_SERVERS_PER_SOURCE ? { bound: 'servers-per-source', limit: MAX_SERVERS_PER_SOURCE, value: after } : undefined;
  }

  /** A `register` that announces more parts or files than a content list may hold. */
  checkRegister(reg: MessageOf<'register'>): Refusal | undefined {
    if (reg.parts > MAX_CONTENT_PARTS) return { bound: 'parts', limit: MAX_CONTENT_PARTS, value: reg.parts };
    if (reg.files > MAX_NAMES_PER_SERVER) return { bound: 'names', limit: MAX_NAMES_PER_SERVER, value: reg.files };
    return undefined;
  }

  /** Would the files of one more part take the content list beyond MAX_NAMES_PER_SERVER or MAX_CATALOG_BYTES_PER_SERVER? */
  checkPart(list: ListTally, files: MessageOf<'content'>['files']): Refusal | undefined {
    let names = list.files.size;
    let bytes = list.catalogBytes;
    const seen = new Set<string>();
    for (const [file] of files) {
      if (list.files.has(file) || seen.has(file)) continue;
      seen.add(file);
      names++;
      bytes += utf8Length(file);
    }
    if (names > MAX_NAMES_PER_SERVER) return { bound: 'names', limit: MAX_NAMES_PER_SERVER, value: names };
    if (bytes > MAX_CATALOG_BYTES_PER_SERVER) return { bound: 'catalog-bytes', limit: MAX_CATALOG_BYTES_PER_SERVER, value: bytes };
    return undefined;
  }

  /**
   * Count a refusal of a registration from `from`. When a report of its host is due: how many of
   * its registrations were refused since the last one (this one included); else undefined.
   */
  refusal(r: Refusal, from: string, now: number): number | undefined {
    this.refused[r.bound]++;
    const host = sourceHost(from);
    let rep = this.reports.get(host);
    if (!rep) {
      rep = { at: Number.NEGATIVE_INFINITY, refused: 0 };
      this.reports.set(host, rep);
    }
    rep.refused++;
    if (now - rep.at < REFUSAL_REPORT_INTERVAL) return undefined;
    if (now - this.windowAt >= REFUSAL_REPORT_INTERVAL) {
      this.windowAt = now;
      this.windowReports = 0;
    }
    if (this.windowReports >= REFUSAL_REPORTS) return undefined;
    this.windowReports++;
    const n = rep.refused;
    rep.refused = 0;
    rep.at = now;
    return n;
  }
}
