/**
 * The master's notices (§11.4) as lines for people: one EventView per event,
 * `handoff 7 a → b (failure) gap ~512 ms` (the master's estimate: §11.5). `requests` events are counts, not
 * lines: they feed the requests/s figure. Kinds this dashboard does not know
 * are ignored, as the spec asks of subscribers.
 */
import type { MessageOf } from '../../protocol/messages.js';
import type { EventLevel, EventView } from '../../view/model.js';
import { formatRate } from '../../view/units.js';

export type NoticeEvent = MessageOf<'notice'>['events'][number];

/** `12.34 s`: a position in the media. */
export function position(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

const SERVER_TEXT: Readonly<Record<string, [string, EventLevel]>> = {
  'server-registered': ['registered', 'info'],
  'server-up': ['up', 'info'],
  'server-recovered': ['recovered: answers polls again', 'info'],
  'server-down': ['down: missed its polls', 'error'],
  'server-draining': ['draining', 'warn'],
  'server-overloaded': ['overloaded', 'warn'],
  'server-left': ['left', 'info'],
  'server-forgotten': ['forgotten', 'info'],
  'server-restarted': ['restarted: its streams are lost', 'warn'],
};

/** The line and level of one event, or undefined for counts and unknown kinds. */
export function describeNotice(e: NoticeEvent): { text: string; level: EventLevel } | undefined {
  const srv = e.srv ?? '?';
  const why = e.why ? ` (${e.why})` : '';
  const server = SERVER_TEXT[e.ev];
  if (server) return { text: `server ${srv} ${server[0]}`, level: server[1] };
  switch (e.ev) {
    case 'handoff':
      return {
        text: `handoff ${e.sid ?? '?'} ${srv} → ${e.to ?? '?'}${why}${e.gap !== undefined ? (e.gap === 0 ? ' no gap' : ` gap ~${e.gap} ms`) : ''}${e.npt !== undefined ? ` at ${position(e.npt)}` : ''}`,
        level: 'info',
      };
    case 'handoff-start':
      // The master may not have chosen the new server yet.
      return { text: `handoff ${e.sid ?? '?'} starts ${e.to ? `${srv} → ${e.to}` : `from ${srv}`}${why}${e.npt !== undefined ? ` at ${position(e.npt)}` : ''}`, level: 'info' };
    case 'handoff-failed':
      return { text: `handoff ${e.sid ?? '?'} from ${srv}${e.to ? ` to ${e.to}` : ''} failed${why}`, level: 'error' };
    case 'migrate':
      return { text: `stream ${e.sid ?? '?'} migrates off ${srv}${why}`, level: 'warn' };
    case 'drain-ordered':
      return { text: `drain of ${srv} ordered`, level: 'info' };
    case 'capacity-ordered':
      return { text: `capacity of ${srv} set to ${e.n !== undefined ? formatRate(e.n) : '?'}`, level: 'info' };
    case 'member-alive':
    case 'member-suspect':
    case 'member-dead':
    case 'member-left': {
      const state = e.ev.slice('member-'.length);
      return { text: `master ${e.mbr ?? '?'} ${state}${e.n !== undefined ? ` (incarnation ${e.n})` : ''}`, level: state === 'dead' ? 'error' : state === 'suspect' ? 'warn' : 'info' };
    }
    case 'supervisor':
      return { text: `server ${srv} supervised by ${e.mbr ?? '?'}${e.n !== undefined ? ` (epoch ${e.n})` : ''}`, level: 'info' };
    case 'request-errors':
      return { text: `${e.n ?? '?'} request${e.n === 1 ? '' : 's'} answered with ${e.code ?? 'an error'}`, level: 'warn' };
    default:
      return undefined;
  }
}

/** One event of a notice as the dashboard shows it; `receivedAt`: when the notice came (the event is `ago` ms older). */
export function eventView(e: NoticeEvent, seq: number, receivedAt: number): EventView | undefined {
  const d = describeNotice(e);
  if (!d) return undefined;
  return {
    seq,
    at: receivedAt - e.ago,
    kind: e.ev,
    level: d.level,
    text: d.text,
    ...(e.srv !== undefined ? { srv: e.srv } : {}),
    ...(e.sid !== undefined ? { sid: e.sid } : {}),
  };
}

/** Requests a `requests` event counts (redirects, relayed setups, server lists), or 0. */
export function requestCount(e: NoticeEvent): number {
  return e.ev === 'requests' && e.counts ? e.counts[0] + e.counts[1] + e.counts[2] : 0;
}
