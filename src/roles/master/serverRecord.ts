/**
 * What a master knows of one server: identity, content-list progress, state,
 * and its load history (S1.5).
 */
import { LOAD_EWMA_WEIGHT, LOAD_HISTORY, SERVER_RTT_WEIGHT } from '../../protocol/constants.js';
import type { MessageOf, ServerFacts } from '../../protocol/messages.js';
import { defineTable } from '../stateMachine.js';

export type ServerState = 'joining' | 'up' | 'down' | 'draining' | 'overloaded';
export type ServerTrigger = 'content-complete' | 'missed-polls' | 'load' | 'draining' | 'overloaded' | 'relieved';

/** The master's view of a server (§6.4), drawn in the spec. */
export const SERVER_VIEW_TABLE = defineTable<ServerState, ServerTrigger>({
  name: 'master: view of a server',
  initial: 'joining',
  states: {
    joining: 'Registered; its content list is not complete yet. Not selectable.',
    up: 'Content list complete and answering polls. Selectable.',
    down: 'MISSED_POLLS_DOWN polls in a row unanswered. Not selectable; still polled. Its streams are moved (failure).',
    draining: 'It reports `draining`: its streams are moved before it leaves (S2.5c). Not selectable.',
    overloaded: 'It reports `overloaded`, or commits more than its capacity: streams are moved away until it fits (S2.5b). Not selectable.',
  },
  transitions: [
    { from: 'joining', on: 'content-complete', to: 'up', doc: 'the last `content` part arrived' },
    { from: ['joining', 'up', 'draining', 'overloaded'], on: 'missed-polls', to: 'down', doc: 'MISSED_POLLS_DOWN polls unanswered: move its streams' },
    { from: 'down', on: 'load', to: 'up', doc: 'a `load` report arrived (content list complete)' },
    { from: ['up', 'overloaded', 'down'], on: 'draining', to: 'draining', doc: 'a `load` report with state `draining`: move every stream' },
    { from: 'up', on: 'overloaded', to: 'overloaded', doc: 'a `load` report with state `overloaded`, or committed bandwidth above capacity: move the newest streams until it fits' },
    { from: 'overloaded', on: 'relieved', to: 'up', doc: 'a `load` report within capacity' },
  ],
});

export interface LoadSample {
  readonly at: number;
  readonly bw: number;
  readonly sent: number;
  readonly streams: number;
}

export class ServerRecord {
  state: ServerState = 'joining';
  /** True once its files are in the catalog. */
  cataloged = false;
  /** An operator's order passed on and not yet seen in effect in its load reports: sent again on each poll. */
  order: { op: 'drain' | 'capacity'; cap?: number } | undefined;
  readonly parts = new Set<number>();
  partsTotal: number;
  fileCount: number;
  cap: number;
  group: string;
  /** Static facts it registered with (S3.5, §12.5). */
  readonly facts: ServerFacts;
  readonly files = new Map<string, { size: number; rate: number }>();
  /** The bytes (UTF-8) of the names in `files` (§4.6). */
  catalogBytes = 0;

  // Load (S1.5).
  readonly history: LoadSample[] = [];
  streams = 0;
  bw = 0;
  avg = 0;
  sent = 0;
  missed = 0;
  pollSeq = 0;
  pollAnswered = true;
  /** When the poll `pollSeq` went, for the round trip. */
  pollSentAt = 0;
  /** The smoothed round trip to it, from its answers to polls (§12.5), ms; undefined until one is answered. */
  rtt: number | undefined;
  /** Its view of the other servers (§13), as its last load report said: peers known, and its stalest entry's age, s. */
  view: { readonly known: number; readonly stalest: number } | undefined;
  lastHeard: number;
  downSince = 0;

  constructor(
    readonly name: string,
    /** Where its control messages come from, and where polls go. */
    readonly addr: string,
    readonly epoch: number,
    readonly cookie: Uint8Array,
    reg: MessageOf<'register'>,
    now: number,
  ) {
    this.partsTotal = reg.parts;
    this.fileCount = reg.files;
    this.cap = reg.cap;
    this.group = reg.group;
    this.facts = {
      ...(reg.loc !== undefined ? { loc: reg.loc } : {}),
      ...(reg.cpus !== undefined ? { cpus: reg.cpus } : {}),
      ...(reg.mem !== undefined ? { mem: reg.mem } : {}),
      ...(reg.lat !== undefined ? { lat: reg.lat } : {}),
    };
    this.lastHeard = now;
  }

  /**
   * The answer to the poll just sent came `now`: one sample of the round trip, smoothed as TCP does
   * (RFC 6298: SRTT ← SRTT + (sample − SRTT) × SERVER_RTT_WEIGHT), the first sample taken as it is.
   */
  pollAnsweredAt(now: number): void {
    const sample = Math.max(0, now - this.pollSentAt);
    this.rtt = this.rtt === undefined ? sample : this.rtt + (sample - this.rtt) * SERVER_RTT_WEIGHT;
  }

  get contentComplete(): boolean {
    return this.parts.size >= this.partsTotal;
  }

  /** Bandwidth the server can still take (§4.4), given what is reserved on it. */
  available(reserved: number): number {
    return this.cap - Math.max(this.bw, this.avg) - reserved;
  }

  /** Record a load report. */
  record(load: MessageOf<'load'>, now: number): void {
    this.history.push({ at: now, bw: load.bw, sent: load.sent, streams: load.streams });
    if (this.history.length > LOAD_HISTORY) this.history.shift();
    this.avg = this.history.length === 1 ? load.bw : LOAD_EWMA_WEIGHT * load.bw + (1 - LOAD_EWMA_WEIGHT) * this.avg;
    this.bw = load.bw;
    this.sent = load.sent;
    this.cap = load.cap;
    this.streams = load.streams;
    this.view = load.vk !== undefined ? { known: load.vk, stalest: load.vs ?? 0 } : undefined;
    this.lastHeard = now;
    this.missed = 0;
  }
}
