/**
 * Streams that move between servers in the simulator (S2, S3.6): media items
 * of one or two flows, a cluster with a stream playing, and the figures a
 * handoff test checks (the master's computed and true positions, the client's
 * gap). No assertions here: the test files make them.
 */
import { DATA_CHUNK, PACING_BURST, PACING_TICK } from '../../src/protocol/constants.js';
import type { ClientConfig, HandoffRecord } from '../../src/roles/client/client.js';
import type { MasterConfig, MasterEvent } from '../../src/roles/master/master.js';
import type { MediaFile } from '../../src/roles/server/server.js';
import type { FlowFile } from '../../src/roles/server/stream.js';
import type { LinkProfile } from '../../testbed/sim/network.js';
import { eventsAt, expectedBytes, firstDifference, MASTER, type SimClient, type SimCluster, simCluster, type SimServerSpec } from '../helpers/simCluster.js';

export { eventsAt } from '../helpers/simCluster.js';

export const VIDEO_RATE = 4_000_000;
export const AUDIO_RATE = 128_000;
export const CLIENT = '10.0.2.1:6000';
export const server = (i: number) => `10.0.1.${i + 1}:5000`;

/** A media item as servers hold it, and its flows as the client writes them. */
export interface Item {
  readonly name: string;
  readonly file: MediaFile;
  readonly flows: readonly FlowFile[];
}

/** One file of `seconds` of play at `rate` (the video rate unless given). */
export function singleFlow(seconds: number, name = 'a.ts', rate = VIDEO_RATE): Item {
  const size = (seconds * rate) / 8;
  return { name, file: { name, size, rate }, flows: [{ name, size, rate }] };
}

/** A video flow and an audio flow of `seconds` each, streamed together (S2.4); the audio at 1/32 of the video rate. */
export function twoFlows(seconds: number, name = 'show', rate = VIDEO_RATE): Item {
  const audio = (rate * AUDIO_RATE) / VIDEO_RATE;
  const flows: FlowFile[] = [
    { name: `${name}.video`, size: (seconds * rate) / 8, rate },
    { name: `${name}.audio`, size: (seconds * audio) / 8, rate: audio },
  ];
  return { name, file: { name, size: flows[0]!.size + flows[1]!.size, rate: VIDEO_RATE + AUDIO_RATE, flows }, flows };
}

export const ITEMS = [
  ['one flow', singleFlow(4)],
  ['two flows (video 4 Mbit/s, audio 128 kbit/s)', twoFlows(4)],
] as const;

export interface StreamOptions {
  readonly seed: number;
  readonly item: Item;
  readonly link?: LinkProfile;
  readonly key?: string;
  /** Number of servers, each holding the item (default 3), or their specs. */
  readonly servers?: number | readonly SimServerSpec[];
  readonly master?: Partial<MasterConfig>;
  readonly client?: Partial<ClientConfig>;
  /** How long the stream plays before the test acts, ms (default 1000). */
  readonly playFor?: number;
  /** Called with the cluster as soon as it exists (to record its trace from the start). */
  readonly onCluster?: (c: SimCluster) => void;
}

export interface PlayingStream {
  readonly c: SimCluster;
  readonly cl: SimClient;
  /** The server the stream started at. */
  readonly first: string;
  readonly sid: number;
  /** Where the stream stood, sampled from the moment it played. */
  readonly log: PositionLog;
  /** When the test gets to act (the stream has played `playFor`). */
  readonly at: number;
  /** Servers the client used, and handoffs it made, before `first` (a lossy start may take a retry). */
  readonly earlier: number;
  readonly handoffsBefore: number;
}

/**
 * A cluster of servers holding the item, one client playing it from the first
 * server it was given, `playFor` ms into the stream. Undefined when the stream
 * did not start (the caller asserts).
 */
export function playingStream(o: StreamOptions): PlayingStream | undefined {
  const specs = typeof o.servers === 'object' ? o.servers : Array.from({ length: o.servers ?? 3 }, () => ({ files: [o.item.file] }));
  const c = simCluster({ seed: o.seed, link: o.link, key: o.key, master: o.master, servers: [...specs] });
  o.onCluster?.(c);
  // Every server registered (a lost `register` is retried with back-off: under loss it may take a few seconds).
  const allUp = () => c.master.serversView().filter((r) => r.state === 'up').length === specs.length;
  c.net.run({ until: c.net.now + 3000 });
  c.net.run({ until: c.net.now + 20_000, done: allUp, maxEvents: 5_000_000 });
  if (!allUp()) return undefined;
  const cl = c.addClient(CLIENT, { masters: [MASTER], file: o.item.name, choose: { by: 'random' }, ...o.client });
  c.net.run({ until: c.net.now + 30_000, done: () => cl.client.state === 'playing', maxEvents: 5_000_000 });
  if (cl.client.state !== 'playing') return undefined;
  const setup = eventsAt(c, CLIENT, 'setup').at(-1);
  if (!setup) return undefined;
  const sid = setup.e.sid;
  const log = new PositionLog(c, cl, sid);
  c.net.run({ until: c.net.now + (o.playFor ?? 1000), maxEvents: 5_000_000 });
  const first = setup.e.srv;
  // The servers the client has used so far, as its result lists them (one entry per change).
  const used: string[] = [];
  for (const l of c.log) if (l.addr === CLIENT && l.e.type === 'setup' && used.at(-1) !== l.e.srv) used.push(l.e.srv);
  const handoffsBefore = eventsAt(c, CLIENT, 'handoff').length;
  return { c, cl, first, sid, log, at: c.net.now, earlier: used.lastIndexOf(first), handoffsBefore };
}

/** The servers the client used and the handoffs it made from `first` on (its result, without a lossy start's retries). */
export function sinceStart(p: PlayingStream): { servers: readonly string[]; handoffs: readonly HandoffRecord[] } {
  const r = p.cl.client.result!;
  return { servers: r.servers.slice(p.earlier), handoffs: r.handoffs.slice(p.handoffsBefore) };
}

/** Run until the client has finished, or `ms` of virtual time. */
export function finish(c: SimCluster, ms = 60_000): void {
  c.net.run({ until: c.net.now + ms, done: c.allDone, maxEvents: 10_000_000 });
}


/**
 * What is wrong with the client's copy of every flow, or undefined when each
 * is byte-identical to its file and was handed on in order, never twice.
 */
export function copyProblem(cl: SimClient, item: Item): string | undefined {
  const r = cl.client.result;
  if (!r) return 'the client has not finished';
  if (!r.ok) return `the client failed: ${r.code} ${r.message}`;
  if (cl.wrong !== 0) return `${cl.wrong} runs of bytes handed on out of order or twice`;
  for (let i = 0; i < item.flows.length; i++) {
    const f = item.flows[i]!;
    const d = firstDifference(cl.copies[i] ?? new Uint8Array(0), expectedBytes(f.name, f.size));
    if (d) return `flow ${i} (${f.name}): ${d}`;
  }
  return undefined;
}

/** Normal play time, ms, that `bytes` of flow 0 take at the item's rate (S2.1: data ÷ rate). */
export function nptOfBytes(item: Item, bytes: number): number {
  return (bytes * 8000) / item.flows[0]!.rate;
}

/**
 * How far ahead of the nominal position a stream's flow 0 can run: a sender
 * starts with half a PACING_BURST of credit and earns more only with time, so
 * it leads elapsed time × rate by less than PACING_BURST bytes (plus the chunk
 * in hand), in ms of normal play time.
 */
export function burstNpt(item: Item): number {
  return nptOfBytes(item, PACING_BURST + DATA_CHUNK);
}

/** Where flow 0 of a stream stood at one instant: at each server that had it, and at the client. */
export interface PositionSample {
  readonly t: number;
  /** Per server: its next byte to send for the first time. */
  readonly sent: ReadonlyMap<string, number>;
  /** Every byte below this had been handed on by the client. */
  readonly client: number;
}

/**
 * Samples, every `every` ms of virtual time, how far each server has sent
 * flow 0 of stream `sid` and how far the client has handed it on, so a test can
 * tell where the stream really stood at the instant a master's computation
 * refers to. Reading state does not change the run.
 */
export class PositionLog {
  readonly samples: PositionSample[] = [];

  constructor(
    private readonly c: SimCluster,
    private readonly cl: SimClient,
    private readonly sid: number,
    readonly every = 5,
  ) {
    this.sample();
  }

  /** Take a sample now (at an instant a test acts: a crash), besides the periodic ones. */
  snapshot(): void {
    this.record();
  }

  private sample(): void {
    this.record();
    if (this.cl.client.result === undefined) this.c.net.at(this.c.net.now + this.every, () => this.sample());
  }

  private record(): void {
    const sent = new Map<string, number>();
    for (const s of this.c.servers) {
      const stream = s.streamView(this.sid);
      if (stream && stream.state === 'playing') sent.set(s.config.name, stream.flows[0]!.sendPos);
    }
    this.samples.push({ t: this.c.net.now, sent, client: this.cl.client.next });
  }

  /** The furthest server `srv` had sent flow 0 by `t` (undefined when it never had the stream). */
  sentBy(srv: string, t: number): number | undefined {
    let best: number | undefined;
    for (const s of this.samples) {
      if (s.t > t) break;
      const v = s.sent.get(srv);
      if (v !== undefined) best = Math.max(best ?? v, v);
    }
    return best;
  }

  /** Every server that had the stream playing in some sample. */
  servers(): Set<string> {
    const out = new Set<string>();
    for (const s of this.samples) for (const k of s.sent.keys()) out.add(k);
    return out;
  }

  /** The last sample taken at or before `t` (the first one, taken as the stream began to play, for an earlier `t`). */
  at(t: number): PositionSample | undefined {
    let found: PositionSample | undefined = this.samples[0];
    for (const s of this.samples) {
      if (s.t > t) break;
      found = s;
    }
    return found;
  }
}

/** One handoff as the master reported it, with the instants the checks refer to. */
export interface MasterHandoff {
  readonly at: number;
  readonly e: Extract<MasterEvent, { type: 'handoff' }>;
  readonly from: string;
  readonly to: string;
  /** Absent when the master had no position for the stream (it never reported playing). */
  readonly computed: number | undefined;
  readonly npt: number;
  readonly diff: number | undefined;
}

/** The master's `handoff` events (from `since` on). */
export function masterHandoffs(c: SimCluster, since = 0): MasterHandoff[] {
  return c.masterLog.flatMap(({ at, e }) => (e.type === 'handoff' && at >= since ? [{ at, e, from: e.from, to: e.to, computed: e.computed, npt: e.npt, diff: e.diff }] : []));
}

/**
 * The bounds a handoff decided by the master must keep (§10.3), derived from
 * where the stream really stood; each problem found is returned as text.
 *
 * `te` is the instant the master's computation refers to: the change event
 * (`handoff-start`) for a drain, an overload or an operator's order; the last
 * time the master heard from the server for a failure. `tEnd` is the last
 * instant the old server could still have fed the client: the handoff's
 * completion for a server that keeps streaming, the crash for a failure.
 * `scale`: the largest rate scale in effect (thousandths).
 *
 *  1. The computed position is where the old server had sent flow 0 to at `te`,
 *     within what its pacer may run ahead (a burst) and the sampling step: the
 *     NPT accounting of S2.1–S2.3 follows the server's real progress.
 *  2. The true position (the new server's `play`, i.e. the client's position
 *     when it moved) is no less than the client's position at `te` and no more
 *     than the furthest any server of the stream had sent by `tEnd` (the old
 *     one, or an earlier one whose data the client still held):
 *     make-before-break loses nothing and invents nothing.
 *  For a failure the master also knows where the stream stood at the server's
 *  last control event (`track`), which may be later than the last load report:
 *  it never computes a position behind that one, so the computed position may
 *  refer to any instant up to `teLatest`.
 *  Together: diff = computed − true lies in
 *     [−(tEnd − te) × scale − burst, burst + client lag at te],
 *  the client lag being how far its in-order position trailed the server's
 *  (a hole waiting for a resend).
 */
export function positionProblems(h: MasterHandoff, item: Item, log: PositionLog, te: number, tEnd: number, scale: number, teLatest = te): string[] {
  const problems: string[] = [];
  const where = `${h.e.why} handoff from ${h.from} (computed ${h.computed}, true ${h.npt})`;
  const atTe = log.at(te);
  const sentTe = atTe?.sent.get(h.from);
  if (!atTe || sentTe === undefined) return [`${where}: no position sample of ${h.from} at ${te}`];
  // Any server that fed the stream may have sent what the client holds (make-before-break keeps the
  // data an earlier server sent beyond the position the next one started at).
  let sentEnd = log.sentBy(h.from, tEnd) ?? sentTe;
  for (const s of log.servers()) sentEnd = Math.max(sentEnd, log.sentBy(s, tEnd) ?? 0);
  // What a sample may miss: a sampling step and a pacer tick of progress at the fastest rate, and
  // a chunk (the pacer sends whole chunks), and rounding to whole ms.
  const step = ((log.every + PACING_TICK) * scale) / 1000 + nptOfBytes(item, DATA_CHUNK) + 1;
  const burst = burstNpt(item);
  const serverAtTe = nptOfBytes(item, sentTe);
  const serverAtLatest = nptOfBytes(item, log.at(teLatest)?.sent.get(h.from) ?? sentTe);
  if (h.computed !== undefined && (h.computed < serverAtTe - burst - step || h.computed > serverAtLatest + step)) {
    problems.push(`${where}: the old server had sent to ${serverAtTe.toFixed(1)} ms at the change event (${serverAtLatest.toFixed(1)} at its last control event); computed is off by more than a burst (${burst.toFixed(1)}) and a step (${step.toFixed(1)})`);
  }
  const clientAtTe = Math.floor(nptOfBytes(item, atTe.client));
  const serverAtEnd = nptOfBytes(item, sentEnd);
  if (h.npt < clientAtTe - step || h.npt > serverAtEnd + step) {
    problems.push(`${where}: the true position should lie between the client's ${clientAtTe} at the change event and the furthest sent, ${serverAtEnd.toFixed(1)}, at its end`);
  }
  return problems;
}

/**
 * The last instant at or before `t` that `srv` reported a control event of
 * stream `sid` (play, replay, adjustment), or `since` when that is later: the
 * master's position for a failure may refer to it.
 */
export function lastControlEvent(c: SimCluster, srv: string, sid: number, since: number, t: number): number {
  let at = since;
  for (const l of c.log) {
    if (l.at > t) break;
    if (l.addr === srv && (l.e.type === 'stream-play' || l.e.type === 'stream-replay' || l.e.type === 'stream-adjust') && l.e.sid === sid) at = Math.max(at, l.at);
  }
  return at;
}
