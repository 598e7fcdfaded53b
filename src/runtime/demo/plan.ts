/**
 * What the demo runs: the seed's overlapping catalog on three servers
 * (A,B,C,D / B,E,F,G,H / B,E,H,J), short synthetic files, and clients in
 * every mode.
 */
import type { RequestMode } from '../../roles/client/client.js';

export interface DemoFile {
  readonly name: string;
  readonly seconds: number;
  /** bit/s */
  readonly rate: number;
}

export const DEMO_FILES: readonly DemoFile[] = [
  { name: 'A.ts', seconds: 3, rate: 2_000_000 },
  { name: 'B.ts', seconds: 6, rate: 2_000_000 },
  { name: 'C.ts', seconds: 3, rate: 3_000_000 },
  { name: 'D.ts', seconds: 3, rate: 2_000_000 },
  { name: 'E.ts', seconds: 5, rate: 3_000_000 },
  { name: 'F.ts', seconds: 3, rate: 4_000_000 },
  { name: 'G.ts', seconds: 3, rate: 2_000_000 },
  { name: 'H.ts', seconds: 5, rate: 2_000_000 },
  { name: 'J.ts', seconds: 4, rate: 2_000_000 },
];

/** Which files each server holds: the seed's example. */
export const DEMO_SERVERS: readonly (readonly string[])[] = [
  ['A.ts', 'B.ts', 'C.ts', 'D.ts'],
  ['B.ts', 'E.ts', 'F.ts', 'G.ts', 'H.ts'],
  ['B.ts', 'E.ts', 'H.ts', 'J.ts'],
];

export interface DemoClient {
  readonly index: number;
  readonly file: string;
  readonly mode: RequestMode;
  readonly choose: string;
}

/**
 * Files the clients ask for, in turn: mostly ones that more than one server
 * holds, so a server can fail and another can be drained.
 */
const CLIENT_FILES = ['B.ts', 'E.ts', 'B.ts', 'A.ts', 'H.ts', 'E.ts', 'J.ts', 'H.ts', 'C.ts'];
const MODES: readonly RequestMode[] = ['redirect', 'relay', 'list'];
/**
 * How list-mode clients choose. The first picks server 1's group: server 1 is
 * the only one holding A, so it cannot go while A streams; once A is done, the
 * client streaming B there is the one whose server is drained.
 */
const CHOICES = ['group:g1', 'random', 'fewest-users'];

/** The file `ofp demo --distribute` brings to every server with a job (§14): none holds it at the start. */
export const DISTRIBUTED: DemoFile = { name: 'premiere.ts', seconds: 5, rate: 2_000_000 };

/** `file`: every client asks for it (the distributed one); otherwise each its own, in turn. */
export function demoClients(n: number, file?: string): DemoClient[] {
  return Array.from({ length: n }, (_, i) => ({
    index: i + 1,
    file: file ?? CLIENT_FILES[i % CLIENT_FILES.length]!,
    mode: MODES[i % MODES.length]!,
    choose: CHOICES[Math.floor(i / MODES.length) % CHOICES.length]!,
  }));
}

/** The servers (indexes) holding a file: the distributed one, every server, once its job is done. */
export function holders(file: string): number[] {
  if (file === DISTRIBUTED.name) return DEMO_SERVERS.map((_, i) => i);
  return DEMO_SERVERS.flatMap((files, i) => (files.includes(file) ? [i] : []));
}
