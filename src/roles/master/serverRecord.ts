/**
 * What a master knows of one server: identity, content-list progress, state,
 * and its load history (S1.5).
 */
import { LOAD_EWMA_WEIGHT, LOAD_HISTORY } from '../../protocol/constants.js';
import type { MessageOf } from '../../protocol/messages.js';
import { defineTable } from '../stateMachine.js';

export type ServerState = 'joining' | 'up' | 'down';
export type ServerTrigger = 'content-complete' | 'missed-polls' | 'load';

/** The master's view of a server (§6.4), drawn in the spec. */
export const SERVER_VIEW_TABLE = defineTable<ServerState, ServerTrigger>({
  name: 'master: view of a server',
  initial: 'joining',
  states: {
    joining: 'Registered; its content list is not complete yet. Not selectable.',
    up: 'Content list complete and answering polls. Selectable.',
    down: 'MISSED_POLLS_DOWN polls in a row unanswered. Not selectable; still polled.',
  },
  transitions: [
    { from: 'joining', on: 'content-complete', to: 'up', doc: 'the last `content` part arrived' },
    { from: 'up', on: 'missed-polls', to: 'down', doc: 'MISSED_POLLS_DOWN polls unanswered' },
    { from: 'joining', on: 'missed-polls', to: 'down', doc: 'MISSED_POLLS_DOWN polls unanswered' },
    { from: 'down', on: 'load', to: 'up', doc: 'a `load` report arrived (content list complete)' },
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
  readonly parts = new Set<number>();
  partsTotal: number;
  fileCount: number;
  cap: number;
  group: string;
  readonly files = new Map<string, { size: number; rate: number }>();

  // Load (S1.5).
  readonly history: LoadSample[] = [];
  streams = 0;
  bw = 0;
  avg = 0;
  sent = 0;
  missed = 0;
  pollSeq = 0;
  pollAnswered = true;
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
    this.lastHeard = now;
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
    this.lastHeard = now;
    this.missed = 0;
  }
}
