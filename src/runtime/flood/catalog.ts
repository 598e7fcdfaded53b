/**
 * What `ofp tool flood` can send and its bounds: the names and one line of
 * doc per kind, for the command's flags and help. Light on purpose: the help
 * of every command loads it, the generators (kinds.ts) only a flood does.
 */
import { MAX_DATAGRAM } from '../../protocol/constants.js';

/** Sockets a `book` flood sends from, in turn. */
export const BOOK_SOCKETS = 64;

export const FLOOD_KINDS = ['random', 'truncated', 'replay', 'spoofed-poll', 'oversize', 'bad-version', 'request', 'book', 'fake-catalog'] as const;
export type FloodKind = (typeof FLOOD_KINDS)[number];

export const FLOOD_KIND_DOCS: Readonly<Record<FloodKind, string>> = {
  random: 'random bytes, 1 to 1200 of them',
  truncated: 'a padded request cut short',
  replay: 'one valid padded request, the same bytes every time (a captured datagram replayed)',
  'spoofed-poll': 'forged poll and load control messages, without a MAC or with a made-up one',
  oversize: `random bytes beyond ${MAX_DATAGRAM}`,
  'bad-version': 'well-formed datagrams of protocol versions 2 to 255',
  request: 'valid padded requests, each with a new request id',
  book: `valid padded requests from ${BOOK_SOCKETS} sockets in turn: clients of one host that ask and never play, booking reservations (§4.4)`,
  'fake-catalog': 'a made-up media server (no key) registering the longest content list a master takes, parts full of names, again and again',
};

export function isFloodKind(s: string): s is FloodKind {
  return (FLOOD_KINDS as readonly string[]).includes(s);
}

/** Most datagrams per second a flood may send. */
export const FLOOD_MAX_RATE = 50_000;
/** Longest a flood may last, ms. */
export const FLOOD_MAX_DURATION = 60_000;
