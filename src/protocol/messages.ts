/**
 * The message catalogue of protocol v1: the single source of truth for the
 * wire. Types, decode-time validation, the spec's field tables
 * (`protocol-spec/03-messages.md`) and the test vectors all come from here.
 */
import {
  COOKIE_LENGTH,
  DATA_CHUNK,
  MAC_LENGTH,
  MAX_AVOID,
  MAX_DIGEST_ENTRIES,
  MAX_DIGEST_SIDS,
  VIEW_SEEDS,
  JOB_CHUNK,
  JOB_HASH_LENGTH,
  JOB_MAX_RANGES,
  JOB_PLAN_PART,
  JOB_STATUS_ROWS,
  JOB_LIST_ROWS,
  MAX_JOB_COMMANDS,
  MAX_JOB_TARGETS,
  MAX_STREAM_RATE,
  MAX_PULL_SIDS,
  MAX_CONTENT_FILES,
  MAX_ERROR_TEXT,
  MAX_FILE_NAME,
  MAX_FILE_ROW_SERVERS,
  MAX_LIST_SERVERS,
  MAX_LOAD_SIDS,
  MEMBER_UPDATES_PER_MESSAGE,
  VIEW_MAX_BUCKETS,
  VIEW_PAGE,
  MAX_MISSING_RANGES,
  MAX_NAME,
  MAX_DATAGRAM,
  MAX_FLOWS,
  MAX_SCALE,
  MAX_STATUS_ROWS,
  MIN_SCALE,
  NOTICE_EVENTS,
  STREAM_KEY_LENGTH,
  TOKEN_LENGTH,
} from './constants.js';
import type { WireCode } from './errors.js';
import { type Fields, type InferStruct, opt, t } from './fields.js';

/**
 * Who must authenticate a message when a cluster key is configured (§9.2):
 * `cluster`: always (it only travels between master and server);
 * `leg`: when it travels between master and server, not when it goes to a client;
 * `status`: always (status queries come from operators holding the key);
 * `none`: never (client legs).
 */
export type AuthRule = 'cluster' | 'leg' | 'status' | 'none';

export interface MessageSpec<F extends Fields = Fields> {
  readonly code: number;
  readonly doc: string;
  readonly legs: readonly string[];
  readonly auth: AuthRule;
  readonly fields: F;
}

function message<F extends Fields>(code: number, legs: readonly string[], auth: AuthRule, doc: string, fields: F): MessageSpec<F> {
  return { code, legs, auth, doc, fields };
}

// Fields that recur.
const rid = t.id('Request id, chosen by the sender of the request and echoed in the answer; never 0.');
const sid = t.id('Stream id, chosen by the master (or by the server when no master is involved); never 0.');
const file = t.str(MAX_FILE_NAME, 'Name of the media file, as listed in the content catalog.');
const addr = (doc: string) => t.str(MAX_NAME, `${doc} Written \`host:port\`, IPv6 hosts in brackets.`);
const at = opt(t.uint('Sender clock, ms since the Unix epoch; required when the message is authenticated (§9.2).'));
const epoch = t.u32('Server instance id, chosen at random each time a server starts.');
const serverName = addr('Server name: the address clients reach the server at.');
const pad = opt(t.bin(MAX_DATAGRAM, 'Padding (any bytes) that brings the datagram to REQUEST_PAD_TO bytes (§9.4).'));
const cookie = t.binExact(COOKIE_LENGTH, 'Address-validation cookie (§9.4), echoed by the peer.');
const token = opt(t.binExact(TOKEN_LENGTH, 'Stream token (§9.3); present when the master has a cluster key.'));
const exp = opt(t.uint('Token expiry, ms since the Unix epoch (§9.3); present with `tok`.'));
const mode = t.enum(['redirect', 'relay', 'list'] as const, 'How the client wants to be answered (§4).');
const serverState = t.enum(['up', 'down', 'joining', 'draining', 'overloaded'] as const, 'Server state as the master sees it.');
const scale = t.uint('Transmission rate as a multiple of the media rate, in thousandths: 1000 is the media rate (S2.1); from MIN_SCALE to MAX_SCALE, never 0.', MAX_SCALE, MIN_SCALE);
const streamKey = opt(t.binExact(STREAM_KEY_LENGTH, 'Stream key (§10.5): the client checks handoff tokens with it.'));
const flows = opt(t.list(t.tuple([
  t.str(MAX_NAME, 'Flow file name.'),
  t.uint('Size in bytes.'),
  t.uint('Media rate, bits per second.'),
] as const, '[name, size, rate].'), MAX_FLOWS, 'Every flow of a media item that has more than one (S2.4), flow 0 first; absent for a single flow.'));
const offs = opt(t.list(t.uint('Byte offset.'), MAX_FLOWS, 'The byte offset of each flow, when the item has more than one; `off` is flow 0\'s.'));
const flowIndex = opt(t.uint('Flow index (S2.4); 0 when absent.', MAX_FLOWS - 1));
const why = t.enum(['failure', 'overload', 'drain', 'operator'] as const, 'Why the stream moves (S2.5).');
const npt = t.uint('Normal play time, ms (§10.3).');
const statusTable = t.enum(['summary', 'servers', 'files', 'sessions', 'members'] as const, 'Which table; `members` only of a master in a group (§12.1).');
/** A code of the error table (§8.1): a sender puts one of the table's wire codes, a receiver accepts any. */
const errorCode = (doc: string) => t.open<WireCode>(32, `${doc} A receiver accepts a code it does not know (§8.1).`);

/** What a master tells its subscribers about (§11.4). */
export const NOTICE_KINDS = [
  'requests',
  'request-errors',
  'server-registered',
  'server-up',
  'server-recovered',
  'server-down',
  'server-draining',
  'server-overloaded',
  'server-left',
  'server-forgotten',
  'server-restarted',
  'drain-ordered',
  'capacity-ordered',
  'handoff-start',
  'handoff',
  'handoff-failed',
  'migrate',
  'member-alive',
  'member-suspect',
  'member-dead',
  'member-left',
  'supervisor',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** The fields of a notice event besides `ago` and `ev`. */
export type NoticeField = 'sid' | 'srv' | 'to' | 'why' | 'npt' | 'gap' | 'n' | 'counts' | 'code' | 'mbr';

export interface NoticeDoc {
  /** Fields an event of this kind always carries. */
  readonly fields: readonly NoticeField[];
  /** Fields it carries when they apply. */
  readonly optional?: readonly NoticeField[];
  readonly doc: string;
}

/** Each kind of notice event: what it carries and when a master records it (§11.4; the spec's table is generated from this). */
export const NOTICE_DOCS: { readonly [K in NoticeKind]: NoticeDoc } = {
  requests: { fields: ['counts'], doc: 'A counting window (NOTICE_COUNT_INTERVAL) closed in which the master answered at least one request: `counts` = [redirects, relayed setups, server lists].' },
  'request-errors': { fields: ['code', 'n'], doc: 'A counting window closed in which the master answered `n` requests with the error `code` (§8); one event per code.' },
  'server-registered': { fields: ['srv'], doc: 'A server registered (again) and proved its address (§4.6); its content list follows.' },
  'server-up': { fields: ['srv'], doc: 'A registered server\'s content list is complete: it is selectable.' },
  'server-recovered': { fields: ['srv'], doc: 'A `down` server answered again, or an `overloaded` one fits its capacity again: it is `up`.' },
  'server-down': { fields: ['srv'], doc: 'A server missed MISSED_POLLS_DOWN polls in a row; its streams are handed off (§10.6.3).' },
  'server-draining': { fields: ['srv'], doc: 'A server reports `draining`; its streams are handed off (§10.7).' },
  'server-overloaded': { fields: ['srv'], doc: 'A server reports `overloaded`, or commits more than its capacity; its newest streams are handed off (§10.8).' },
  'server-left': { fields: ['srv'], doc: 'A server sent `leave`: it is forgotten.' },
  'server-forgotten': { fields: ['srv'], doc: 'A server that was `down` for DOWN_FORGET_POLLS poll intervals is forgotten.' },
  'server-restarted': { fields: ['srv'], doc: 'A server registered with a new epoch (it restarted): its old record is forgotten.' },
  'drain-ordered': { fields: ['srv'], doc: 'An operator\'s `control` `drain` for the server was passed on (§10.9).' },
  'capacity-ordered': { fields: ['srv', 'n'], doc: 'An operator\'s `control` `capacity` for the server was passed on; `n` is the capacity ordered, bits per second (§10.9).' },
  'handoff-start': { fields: ['sid', 'srv', 'why', 'npt'], optional: ['to'], doc: 'A handoff of stream `sid` away from `srv` started; `npt` is the position computed for the change event; `to` when the operator named the server.' },
  handoff: { fields: ['sid', 'srv', 'to', 'why', 'npt', 'gap'], doc: 'Stream `sid` plays at `to` instead of `srv`; `npt` is its position there (the new server\'s `track` `play`), `gap` the master\'s estimate of the interruption (§11.5).' },
  'handoff-failed': { fields: ['sid', 'srv', 'why'], optional: ['to'], doc: 'A handoff of stream `sid` from `srv` gave up (no server could take it, or it did not play at `to` in time); the stream stays where it is.' },
  migrate: { fields: ['sid', 'srv', 'why'], doc: 'Stream `sid` leaves the overloaded server `srv` (`why` is `overload`), just after its `handoff-start`.' },
  'member-alive': { fields: ['mbr', 'n'], doc: 'A master of the group (§12.1) is alive: it joined, came back, or refuted a suspicion; `n` is its incarnation.' },
  'member-suspect': { fields: ['mbr', 'n'], doc: 'A master of the group is suspect: a probe of it went unanswered (§12.1).' },
  'member-dead': { fields: ['mbr', 'n'], doc: 'A master of the group is dead: it did not refute the suspicion in time (§12.1).' },
  'member-left': { fields: ['mbr', 'n'], doc: 'A master of the group left it.' },
  supervisor: { fields: ['srv', 'mbr', 'n'], doc: 'Server `srv` is supervised by master `mbr` from epoch `n` on, this master gaining or losing it (§12.2).' },
};

const noticeEvent = t.struct({
  ago: t.u32('How long before the notice was sent the event happened, ms.'),
  ev: t.str(24, 'What happened: one of the kinds of §11.4; a subscriber ignores an event of a kind it does not know.'),
  sid: opt(sid),
  srv: opt(addr('The server the event is about; for a handoff, the server the stream leaves.')),
  to: opt(addr('Handoffs: the server the stream moves to.')),
  why: opt(why),
  npt: opt(t.uint('`handoff-start`: the position the master computed for the change event; `handoff`: the position the stream plays from at its new server; ms (§10.3).')),
  gap: opt(t.u32('`handoff`: the master\'s estimate of the interruption, ms (§11.5).')),
  n: opt(t.uint('`request-errors`: how many; `capacity-ordered`: the capacity ordered, bits per second; `member-*`: the incarnation; `supervisor`: the epoch.')),
  counts: opt(t.tuple([
    t.u32('Redirects.'),
    t.u32('Relayed setups.'),
    t.u32('Server lists.'),
  ] as const, '`requests`: the requests answered in the window, by answer: [redirects, relayed setups, server lists].')),
  code: opt(t.str(32, '`request-errors`: the error code the requests were answered with (§8).')),
  mbr: opt(addr('`member-*`: the master of the group the event is about; `supervisor`: the master that supervises `srv` now.')),
}, 'One event.');

export const MESSAGES = {
  request: message(1, ['client → master', 'client → server'], 'none',
    'Ask for a media file by name. To a master: answered by `redirect`, `setup` (relayed) or `server-list` according to `mode`, or by `error`. To a server: answered by `setup` or `error`; in `list` mode, by `server-list`, from the servers\' view (§13.5).', {
      rid,
      file,
      mode: opt(mode),
      sid: opt(sid),
      tok: token,
      exp,
      off: opt(t.uint('Byte offset to start the stream at (a resumed stream); 0 when absent.')),
      from: opt(t.uint('`list` mode: index of the first server to list (paging); 0 when absent.')),
      avoid: opt(t.list(serverName, MAX_AVOID, 'Servers the client failed to get the stream from; the master picks another one when it can.')),
      loc: opt(t.str(MAX_NAME, 'Where the client is (§12.5), as the operators name locations: the `nearest` policy prefers servers there.')),
      offs,
      scale: opt(scale),
      prev: opt(t.id('The stream this request resumes (its server failed): the master keeps the stream id and its state (§10.6).')),
      quiet: opt(t.u32('With `prev`: how long the client had had no `data` of the stream when it sent this request, ms (§6.2). The master places the failure there (§10.6.2, §11.5); without it, SERVER_SILENCE_TIMEOUT before the request.')),
      echo: opt(t.bool('To a master: the client will answer its answer with `echo`, so that the master may time its round trip to the client (§12.5).')),
      pad,
    }),
  redirect: message(2, ['master → client'], 'none',
    'The master chose a server: send the same request there (S1.3).', {
      rid,
      file,
      srv: addr('The chosen server.'),
      sid,
      tok: token,
      exp,
      sk: streamKey,
    }),
  setup: message(3, ['server → client', 'server → master', 'master → client'], 'leg',
    'Setup information for a stream: everything the client needs to play it. Sent by the server to the client (redirect flow), or to the master, which relays it to the client (S1.4).', {
      rid,
      sid,
      file,
      srv: addr('Where the client sends `play`, `ack` and `teardown`.'),
      size: t.uint('File size in bytes (of flow 0 when the item has several).'),
      rate: t.uint('Media rate in bits per second (of flow 0): the pace the server streams at, times `scale`.'),
      chunk: t.uint('Payload bytes per `data` packet.', DATA_CHUNK),
      off: t.uint('Byte offset the stream starts at.'),
      cookie,
      flows,
      offs,
      scale: opt(scale),
      sk: streamKey,
      at,
    }),
  'server-list': message(4, ['master → client', 'server → client'], 'none',
    'Every server that holds the file, with status, users and group, for the client to choose from (S4.1). One page per datagram. From a server (§13.5): every server of its view, itself included, whether or not it holds the file.', {
      rid,
      file,
      total: t.uint('Number of servers holding the file.'),
      from: t.uint('Index of the first server in this page.'),
      servers: t.list(t.struct({
        srv: serverName,
        status: serverState,
        users: t.uint('Streams the server is serving.'),
        group: t.str(MAX_NAME, 'Server group.'),
        sid,
        tok: token,
        sk: streamKey,
      }, 'One server.'), MAX_LIST_SERVERS, 'The servers of this page.'),
      exp,
    }),
  error: message(5, ['any → any'], 'leg',
    'The request named by `rid` (or the stream named by `sid`) failed.', {
      rid: opt(rid),
      sid: opt(sid),
      code: errorCode('Error code from the error table (§8).'),
      msg: t.str(MAX_ERROR_TEXT, 'What went wrong, for people.'),
      versions: opt(t.list(t.uint('A protocol version.', 255), 8, '`unknown-version`: the versions the sender supports.')),
      at,
    }),
  play: message(6, ['client → server'], 'none',
    'Start (or resume) the stream set up by `setup`. Proves the client receives at its address (§9.4).', {
      sid,
      cookie,
      off: t.uint('Byte offset to stream from.'),
      offs,
    }),
  data: message(7, ['server → client'], 'none',
    'A chunk of the stream (§5.1).', {
      sid,
      seq: t.u32('Packet sequence number, counting every `data` packet of the stream including resent ones; wraps.'),
      off: t.uint('Byte offset of the payload in the file.'),
      data: t.bin(DATA_CHUNK, 'Payload.'),
      re: opt(t.bool('True when the chunk is resent.')),
      fl: flowIndex,
      ch: opt(t.bool('Stream change indicator (S2.5c): the server is about to stop serving this stream (draining or shutting down).')),
    }),
  ack: message(8, ['client → server'], 'none',
    'Reception report and keep-alive (§5.2), sent every ACK_INTERVAL while the stream plays.', {
      sid,
      next: t.uint('Every byte below this offset has been received.'),
      hi: t.uint('End of the highest byte range received.'),
      miss: t.list(t.tuple([t.uint('Offset.'), t.uint('Length.')] as const, 'A range missing below `hi`: [offset, length].'), MAX_MISSING_RANGES, 'Missing ranges, lowest first.'),
      fl: flowIndex,
    }),
  teardown: message(9, ['client → server'], 'none',
    'The client is done with the stream (complete or abandoned).', {
      sid,
    }),
  end: message(10, ['server → client'], 'none',
    'The server ended the stream before the client was done.', {
      sid,
      code: errorCode('Why, as an error code (§8).'),
    }),
  adjust: message(11, ['client → server'], 'none',
    'Stream adjustment (S2.1): change the stream\'s transmission rate while it plays. Repeated until acknowledged.', {
      sid,
      n: t.u32('Adjustment number, counting from 1 in the stream; a repeat carries the same number.'),
      scale,
    }),
  'adjust-ack': message(12, ['server → client'], 'none',
    'The adjustment numbered `n` is in effect.', {
      sid,
      n: t.u32('The adjustment acknowledged.'),
      scale,
    }),
  switch: message(13, ['server → client'], 'none',
    'Handoff (S2.6): the stream continues from another server, already set up there. Sent by the current server on its master\'s behalf; the client takes it only with a valid `tok` (§10.5).', {
      sid,
      srv: addr('The new server.'),
      cookie,
      off: t.uint('Byte offset (flow 0) the new server starts at: the position the master computed.'),
      offs,
      npt,
      scale,
      tok: t.binExact(TOKEN_LENGTH, 'Handoff token (§10.5), made with the stream key.'),
      exp: t.uint('Token expiry, ms since the Unix epoch.'),
      why,
    }),
  register: message(16, ['server → master'], 'cluster',
    'A server announces itself and how many `content` parts its content list takes (S1.1).', {
      name: serverName,
      epoch,
      cap: t.uint('Capacity: the bandwidth the server can stream, bits per second.'),
      group: t.str(MAX_NAME, 'Server group (S4.1).'),
      files: t.uint('Number of files in the content list.'),
      parts: t.uint('Number of `content` parts.', 65_535),
      loc: opt(t.str(MAX_NAME, 'Static fact (S3.5, §12.5): where the server is (a site, a region), as its operator names it.')),
      cpus: opt(t.uint('Static fact (§12.5): processor cores.', 65_535)),
      mem: opt(t.uint('Static fact (§12.5): memory, MiB.')),
      lat: opt(t.uint('Static fact (§12.5): the latency its operator expects to it, ms.', 65_535)),
      // Without this field the encoder dropped the server's padding, and a small `register` could
      // leave the master too little budget for its `register-ack` (§9.4).
      pad: opt(t.bin(MAX_DATAGRAM, 'Padding (any bytes) so that the master\'s `register-ack` is no larger than the `register` (§9.4).')),
      at,
    }),
  'register-ack': message(17, ['master → server'], 'cluster',
    'The master accepted a `register`; the server now sends its content list.', {
      name: serverName,
      epoch,
      cookie,
      interval: t.uint('The master\'s poll interval, ms.'),
      at,
    }),
  content: message(18, ['server → master'], 'cluster',
    'One part of a server\'s content list, its logical content database (S1.1).', {
      name: serverName,
      epoch,
      cookie,
      part: t.uint('Index of this part.', 65_534),
      parts: t.uint('Number of parts.', 65_535),
      files: t.list(t.tuple([
        t.str(MAX_FILE_NAME, 'File name.'),
        t.uint('Size in bytes.'),
        t.uint('Rate in bits per second.'),
      ] as const, '[name, size, rate].'), MAX_CONTENT_FILES, 'Files of this part.'),
      add: opt(t.bool('An addition to the list of a registered server, whose list is complete: a file a distribution job brought (§14.4). `part` numbers the server\'s additions since it registered, from 0; `parts` is the list\'s, as registered. A file it lists already takes the size and rate given.')),
      rm: opt(t.bool('A removal from the list of a registered server, whose list is complete: files a distribution job deleted (§14.4), no longer served; their size and rate are not read. Numbered with the additions, and acknowledged as they are.')),
      at,
    }),
  'content-ack': message(19, ['master → server'], 'cluster',
    'The master stored one part of the content list.', {
      epoch,
      part: t.uint('Index of the part.', 65_534),
      add: opt(t.bool('The part was an addition or a removal (`content` `add` or `rm`).')),
      peers: opt(t.list(addr('A server.'), VIEW_SEEDS, 'Other servers the master knows up, at most VIEW_SEEDS: the server\'s first peers in the servers\' view (§13.1).')),
      at,
    }),
  poll: message(20, ['master → server'], 'cluster',
    'Load poll (S1.5), every poll interval.', {
      seq: t.u32('Poll sequence number, echoed in `load`.'),
      at,
    }),
  load: message(21, ['server → master'], 'cluster',
    'Load report: the answer to a `poll`, or pushed by the server when its load changes (S1.5).', {
      name: serverName,
      epoch,
      cookie,
      seq: t.u32('The `seq` of the poll answered; 0 when pushed.'),
      streams: t.uint('Streams playing or set up.'),
      bw: t.uint('Committed bandwidth: the sum of the rates of those streams, bits per second.'),
      sent: t.uint('Bandwidth measured over the last interval, bits per second, data and resends.'),
      cap: t.uint('Capacity, bits per second.'),
      sids: t.list(sid, MAX_LOAD_SIDS, 'Ids of the streams, up to MAX_LOAD_SIDS; with more, successive reports list the next ones in turn.'),
      more: opt(t.bool('True when the server has more streams than `sids` lists.')),
      state: opt(t.enum(['up', 'draining', 'overloaded'] as const, 'The server\'s own view: draining (it is leaving), overloaded (committed beyond capacity); `up` when absent.')),
      sup: opt(addr('Its supervisor (§12.2): the master it sends `track` to and takes `move` from. Absent while a server with one master has taken no `supervise`.')),
      sep: opt(t.u32('The supervision epoch of `sup` (§12.2); 0 when absent.')),
      pin: opt(t.bool('True when an operator placed the supervision (§12.2): the masters leave it where it is while `sup` lives.')),
      vk: opt(t.uint('The servers its view (§13) holds alive with an entry, itself not counted; absent without a view.')),
      vs: opt(t.uint('Seconds since the stalest of those entries last changed at the server (§13).')),
      at,
    }),
  leave: message(22, ['server → master'], 'cluster',
    'The server is stopping: take it out of the catalog now.', {
      name: serverName,
      epoch,
      cookie,
      at,
    }),
  forward: message(23, ['master → server'], 'cluster',
    'A client\'s request forwarded by the master (relayed-setup flow, S1.4). The server answers the master with `setup` or `error` carrying the same `rid`.', {
      rid: t.id('Request id chosen by the master; never 0.'),
      file,
      client: addr('The client\'s address, as the master saw it.'),
      sid,
      off: t.uint('Byte offset to start at.'),
      offs,
      scale: opt(scale),
      at,
    }),
  track: message(24, ['server → master'], 'cluster',
    'A stream control event, for the master\'s failover manager (S2.1): the stream started playing at a position, its rate was adjusted, or it ended. Repeated until acknowledged.', {
      sid,
      n: t.u32('Event number, counting from 1 for this stream at this server.'),
      ev: t.enum(['play', 'adjust', 'end'] as const, 'The event.'),
      when: t.uint('Server clock at the event, ms since the Unix epoch.'),
      npt: opt(t.uint('`play`: the position it plays from, ms of normal play time (§10.3).')),
      scale,
      client: opt(addr('`play`: the client.')),
      file: opt(file),
      code: opt(t.str(32, '`end`: why, as an error code or `teardown`.')),
      at,
    }),
  'track-ack': message(25, ['master → server'], 'cluster',
    'Every `track` event of the stream up to `n` is recorded.', {
      sid,
      n: t.u32('Highest event number recorded, in order.'),
      at,
    }),
  establish: message(26, ['master → server'], 'cluster',
    'Stream establishment (S2.6): set this stream up for this client from this position. Answered with `setup` (same `rid`) or `error`.', {
      rid: t.id('Request id chosen by the master; never 0.'),
      sid,
      file,
      client: addr('The client\'s address.'),
      npt,
      scale,
      why,
      at,
    }),
  move: message(27, ['master → server'], 'cluster',
    'The stream moves to `srv`, already set up there: tell the client (`switch`), keep streaming until it tears down.', {
      sid,
      srv: addr('The new server.'),
      cookie,
      off: t.uint('Flow 0 byte offset the new server starts at.'),
      offs,
      npt,
      scale,
      tok: t.binExact(TOKEN_LENGTH, 'Handoff token for the client (§10.5).'),
      exp: t.uint('Token expiry, ms since the Unix epoch.'),
      why,
      at,
    }),
  order: message(28, ['master → server'], 'cluster',
    'An operator\'s order, passed on by the master: `drain` (hand every stream off, then leave) or `capacity` (set the capacity; a server over it reports `overloaded`).', {
      op: t.enum(['drain', 'capacity'] as const, 'The order.'),
      cap: opt(t.uint('`capacity`: the new capacity, bits per second.')),
      at,
    }),
  supervise: message(41, ['master → server'], 'cluster',
    'Supervision of a server (§12.2): `to` is to supervise it from epoch `ep` on. The server takes it when `ep` is higher than its own and the sender is its supervisor (a handover), or claims it for itself while the supervisor has been silent SUPERVISOR_SILENCE_POLLS poll intervals, or has none; `pin` (an operator\'s) is taken from any of its masters. It answers with a pushed `load` carrying `sup` and `sep`: to all its masters when it took it, to the sender when not.', {
      name: serverName,
      ep: t.u32('The supervision epoch: higher than the server\'s, which fences every order of the supervisor it replaces.'),
      to: addr('The master to supervise the server: the sender, or (a handover, an operator\'s order) another of the server\'s masters.'),
      pin: opt(t.bool('An operator\'s order: the masters leave the supervision where it is while `to` lives.')),
      at,
    }),
  assign: message(44, ['master → master'], 'cluster',
    'An assignment record (S3.3, §12.4): this master gave stream `sid` of `file` to `client` on server `srv`, or moved it there (a handoff). Sent to every live member of its group once, as the assignment is made; a member that knows the stream already ignores it, unless it is a handoff it has not counted yet. The others reserve its rate on `srv` until the server reports the stream, so that masters answering a burst at once spread it as one master would.', {
      srv: serverName,
      sid,
      client: addr('The client.'),
      file,
      rate: t.uint('The rate reserved on `srv`, bits per second.'),
      sk: opt(t.binExact(STREAM_KEY_LENGTH, 'The stream key the client holds (§10.5), in a group without a cluster key (with one, every master derives it): so that any master can move the stream.')),
      inc: t.u32('The incarnation of `srv` as the sender knows it: its registration epoch. With `srv` and `seq`, the delta\'s key.'),
      seq: t.u32('The sender\'s count of the assignments it made on `srv` in that incarnation, from 1: a receiver that saw every one before it holds them all (§12.4).'),
      age: opt(t.uint('Milliseconds since the assignment was made (0 when absent): the receiver dates it back by as much, so that its reservation runs out when the sender\'s does (§4.4).')),
      hops: opt(t.uint('Handoffs the stream has had (0 when absent). A delta with more than the receiver counts is a handoff (S3.3): the stream now plays at `srv`. One with no more leaves the receiver\'s record as it is.')),
      at,
    }),
  digest: message(45, ['master → master'], 'cluster',
    'Anti-entropy of assignment records (S3.3, §12.4), every ASSIGN_DIGEST_INTERVAL to each live member: per server the sender assigned on, its latest `seq` and the ids of its newest assignments there it still holds. A member behind on a server answers with `pull` for the ids it does not hold.', {
      ents: t.list(t.struct({
        srv: serverName,
        inc: t.u32('The server\'s incarnation, as in `assign`.'),
        seq: t.u32('The sender\'s latest `seq` on the server.'),
        sids: t.list(sid, MAX_DIGEST_SIDS, 'The newest assignments the sender made there and still holds.'),
      }, 'One server.'), MAX_DIGEST_ENTRIES, 'Servers, at most MAX_DIGEST_ENTRIES (the others in the next digests, in turn).'),
      at,
    }),
  pull: message(46, ['master → master'], 'cluster',
    'Repair (§12.4): the assignments a `digest` listed that the sender does not hold. Their origin sends their `assign` again, to the sender only; an id it no longer holds is skipped.', {
      sids: t.list(sid, MAX_PULL_SIDS, 'Assignment ids.'),
      at,
    }),
  refer: message(42, ['portal → client'], 'none',
    'A portal (§12.3) names the master that handles the request `rid`: the client sends the same request there. Never larger than the `request` it answers.', {
      rid,
      master: addr('The master to ask.'),
    }),
  pass: message(43, ['portal → master'], 'cluster',
    'A portal (§12.3) passes a client\'s request on to a master, which answers the client directly as if the client had asked it. Only with a cluster key: the master counts `size` bytes as received from `client` (§9.4).', {
      client: addr('The client, as the portal saw it.'),
      size: t.uint('Bytes of the client\'s datagram: what the master may answer it with (§9.4).', MAX_DATAGRAM),
      rid,
      file,
      mode: opt(mode),
      off: opt(t.uint('As in `request`.')),
      from: opt(t.uint('As in `request`.')),
      avoid: opt(t.list(serverName, MAX_AVOID, 'As in `request`.')),
      loc: opt(t.str(MAX_NAME, 'As in `request`.')),
      offs,
      scale: opt(scale),
      prev: opt(t.id('As in `request`.')),
      quiet: opt(t.u32('As in `request`.')),
      echo: opt(t.bool('As in `request`.')),
      at,
    }),
  echo: message(47, ['client → master'], 'none',
    'The client got the master\'s answer to request `rid` (§12.5): sent once, as it arrives, when the request said `echo`. The master times its round trip to the client from it, and answers nothing.', {
      rid,
    }),
  member: message(40, ['master → master', 'server → server'], 'cluster',
    'Group membership (SWIM): between masters (§12.1), and between servers, whose updates carry each server\'s entry (§13). `ping` a member, which answers `ack` with the same `seq`; `ping-req` asks a member to probe `target` and relay its `ack`; `gossip` spreads updates and is not answered; `sync` sends the digest of the sender\'s view, answered by `sync-ack` with the receiver\'s entries where the views differ (anti-entropy, §13.3). Every one carries updates of members\' states. Between masters, a `ping` and a `ping-req` are padded to MEMBER_PAD_TO bytes, and an `ack` is never larger (§12.1); between servers, which take only `member` with a MAC (§13.4), nothing is padded.', {
      k: t.enum(['ping', 'ack', 'ping-req', 'gossip', 'sync', 'sync-ack'] as const, 'Which message: `gossip` carries updates only, and is not answered; `sync` carries a digest, `sync-ack` a page of entries (§13.3).'),
      seq: t.u32('Probe number, chosen by the member that probes; an `ack` (a `sync-ack`) echoes it; 0 in `gossip`, and in the `sync` of a member that joins, which asks for the whole table (§13.1).'),
      target: opt(addr('`ping-req`: the member to probe.')),
      up: t.list(t.struct({
        s: t.enum(['alive', 'suspect', 'dead', 'left'] as const, 'The member\'s state.'),
        a: addr('The member: the address its peers reach it at.'),
        i: t.uint('Its incarnation: a member refutes a suspicion about itself with a higher one (§12.1).'),
        by: opt(addr('`suspect`: the member that suspects it.')),
        d: opt(t.struct({
          v: t.uint('Version of the entry: the member counts its changes; with the incarnation, the newer wins (§13.2).'),
          st: t.enum(['up', 'overloaded', 'draining'] as const, 'Its status, as its load report would say (§4.3).'),
          n: t.uint('Streams it serves (its users).'),
          g: t.str(MAX_NAME, 'Its group (S4.1).'),
          bw: t.uint('Available bandwidth: capacity less committed, bits per second.'),
        }, '`alive` of a server (§13): its entry as it last said it; absent between masters.')),
      }, 'One update.'), Math.max(MEMBER_UPDATES_PER_MESSAGE, VIEW_PAGE), 'Updates, each about one member: piggybacked (at most MEMBER_UPDATES_PER_MESSAGE), or a page of entries (`sync-ack`, the `gossip` that answers it, a joiner\'s table: at most VIEW_PAGE, §13.3).'),
      dig: opt(t.bin(VIEW_MAX_BUCKETS * 4, '`sync` between servers: the digest of the sender\'s view, 4 bytes (big-endian) per bucket, a power of two of them (§13.3).')),
      bk: opt(t.list(t.uint('A bucket.', VIEW_MAX_BUCKETS - 1), VIEW_MAX_BUCKETS, '`sync-ack`: the buckets whose every entry at the sender `up` holds (§13.3).')),
      more: opt(t.bool('`sync-ack`: more than a quarter of the buckets differ, and `up` does not hold them all; the receiver may send its next `sync` sooner (§13.3).')),
      pad: opt(t.bin(MAX_DATAGRAM, 'Between masters, `ping` and `ping-req`: padding (any bytes) that brings the datagram to MEMBER_PAD_TO bytes (§12.1).')),
      at,
    }),
  'status-request': message(32, ['operator → master'], 'status',
    'Ask the master for one page of its state (`ofp master status`, `ofp dashboard`; §11.2).', {
      rid,
      what: statusTable,
      from: t.uint('Index of the first row. A page from row 0 takes a fresh snapshot of the table; the following pages come from it (§11.2).'),
      pad,
      at,
    }),
  status: message(33, ['master → operator'], 'status',
    'One page of the master\'s state (§11.2).', {
      rid,
      what: statusTable,
      total: t.uint('Rows in the table.'),
      from: t.uint('Index of the first row in this page.'),
      summary: opt(t.struct({
        servers: t.uint('Servers known.'),
        up: t.uint('Servers up.'),
        files: t.uint('Distinct files in the catalog.'),
        sessions: t.uint('Streams assigned and not yet ended.'),
        bw: t.uint('Committed bandwidth over all servers, bits per second.'),
        cap: t.uint('Capacity over all servers that are up, bits per second.'),
        requests: t.uint('Requests answered since start.'),
        policy: t.str(32, 'Selection policy.'),
        mode: t.str(16, 'Default answer mode.'),
        uptime: t.uint('Milliseconds since the master started.'),
        group: opt(t.uint('Members of its group it knows, itself not counted (§12.1); absent for a master on its own.')),
        sv: opt(t.uint('Servers it supervises (§12.2), for a master in a group; a portal compares masters by them (§12.3).')),
        svbw: opt(t.uint('Committed bandwidth over the servers it supervises that are up, bits per second.')),
        svcap: opt(t.uint('Capacity over the servers it supervises that are up, bits per second.')),
        svs: opt(t.uint('Streams on the servers it supervises, as they last reported.')),
      }, 'Totals.')),
      servers: opt(t.list(t.struct({
        name: serverName,
        group: t.str(MAX_NAME, 'Group.'),
        state: serverState,
        files: t.uint('Files held.'),
        streams: t.uint('Streams, as last reported.'),
        bw: t.uint('Committed bandwidth, bits per second.'),
        avg: t.uint('Moving average of committed bandwidth, bits per second.'),
        sent: t.uint('Measured bandwidth, bits per second.'),
        cap: t.uint('Capacity, bits per second.'),
        missed: t.uint('Polls unanswered in a row.'),
        sup: opt(addr('Its supervisor (§12.2), for a master in a group.')),
        sep: opt(t.u32('The supervision epoch (§12.2).')),
        pin: opt(t.bool('An operator placed the supervision (§12.2).')),
        backup: opt(addr('The live member next in the server\'s rendezvous order after its supervisor: the one that takes over (§12.2).')),
        loc: opt(t.str(MAX_NAME, 'Its location (§12.5), as it registered.')),
        rtt: opt(t.uint('The smoothed round trip from this master to it, measured on its polls (§12.5), ms.')),
        vk: opt(t.uint('The servers its view holds alive (§13), as its last load report said.')),
        vs: opt(t.uint('Seconds since the stalest entry of its view last changed there (§13).')),
      }, 'A server.'), MAX_STATUS_ROWS, 'Servers.')),
      files: opt(t.list(t.struct({
        file,
        size: t.uint('Size in bytes.'),
        rate: t.uint('Rate, bits per second.'),
        servers: t.list(serverName, MAX_FILE_ROW_SERVERS, 'Servers holding it (the first MAX_FILE_ROW_SERVERS, in name order).'),
      }, 'A file.'), MAX_STATUS_ROWS, 'Files.')),
      sessions: opt(t.list(t.struct({
        sid,
        client: addr('Client.'),
        file,
        srv: serverName,
        age: t.uint('Milliseconds since the assignment.'),
        live: t.bool('True once the server has reported the stream.'),
        handoffs: opt(t.uint('Handoffs of the stream so far (§10); absent when none.')),
        npt: opt(t.uint('Position now, ms of normal play time, as the failover manager computes it (§10.3); absent until the stream has reported playing.')),
        size: opt(t.uint('Size of the item, bytes (every flow).')),
        rate: opt(t.uint('Media rate of the item, bits per second (every flow).')),
        scale: opt(scale),
        moving: opt(t.bool('True while a handoff of the stream is under way (§10.6).')),
        rtt: opt(t.uint('The master\'s smoothed round trip to the client\'s source, ms, once one of its clients echoed an answer (§12.5).')),
        by: opt(addr('The member of its group that made the assignment, or moved the stream last, and told this master (§12.4); absent when this master did, or follows the stream from its server\'s word.')),
      }, 'A session.'), MAX_STATUS_ROWS, 'Sessions.')),
      members: opt(t.list(t.struct({
        addr: addr('A member of the master\'s group (§12.1).'),
        state: t.enum(['alive', 'suspect', 'dead', 'left'] as const, 'Its state as this master sees it.'),
        inc: t.uint('Its incarnation.'),
        age: t.uint('Milliseconds since it entered that state.'),
      }, 'A member.'), MAX_STATUS_ROWS, 'Members of the group, this master not among them.')),
      at,
    }),
  control: message(34, ['operator → master'], 'status',
    'An operator asks the master to act: drain a server, move a stream, set a server\'s capacity, or place its supervision (`ofp server drain`, `ofp master handoff`, `ofp server overload`, `ofp master supervise`).', {
      rid,
      op: t.enum(['drain', 'handoff', 'capacity', 'supervise'] as const, 'What to do.'),
      srv: opt(addr('`drain`, `capacity`, `supervise`: the server; `handoff`: the server to move to (optional).')),
      to: opt(addr('`supervise`: the master of the group to supervise the server (§12.2).')),
      sid: opt(sid),
      cap: opt(t.uint('`capacity`: bits per second.')),
      pad,
      at,
    }),
  'control-result': message(35, ['master → operator'], 'status',
    'What came of a `control`.', {
      rid,
      ok: t.bool('True when it was done (or started).'),
      code: opt(errorCode('When not: an error code (§8).')),
      msg: t.str(MAX_ERROR_TEXT, 'What happened, for people.'),
      at,
    }),
  subscribe: message(36, ['operator → master'], 'status',
    'Subscribe to the master\'s notices, or renew the subscription (§11.3). Answered with `subscribe-ack`.', {
      rid,
      cookie: opt(t.binExact(COOKIE_LENGTH, 'The cookie of the master\'s last `subscribe-ack` to this address; absent the first time.')),
      since: opt(t.uint('The sequence number of the first event the subscriber wants: events from there that the master still holds are sent (again).')),
      end: opt(t.bool('True: end the subscription now.')),
      pad,
      at,
    }),
  'subscribe-ack': message(37, ['master → operator'], 'status',
    'The answer to a `subscribe` (§11.3).', {
      rid,
      state: t.enum(['pending', 'active', 'full', 'ended'] as const, '`pending`: echo `cookie` to prove the address; `active`: subscribed until the lease ends; `full`: no room for another subscriber, try again later; `ended`: the subscription is over.'),
      cookie,
      lease: t.uint('`active`: ms the subscription lasts without a renewal; 0 otherwise.'),
      next: t.uint('The sequence number the master\'s next event will take.'),
      at,
    }),
  notice: message(38, ['master → operator'], 'status',
    'Recent events of the master, for a subscriber (§11.4).', {
      seq: t.uint('Sequence number of the first event; the others follow it, one by one.'),
      events: t.list(noticeEvent, NOTICE_EVENTS, 'The events, oldest first.'),
      at,
    }),
  'job-submit': message(48, ['provider → base'], 'status',
    'A content provider asks a base server for a job (S5.1, §14.1): copy `file` to the targets. A job with more targets than one part holds comes in `parts` parts, each with the same `rid`; the base server creates the job when it has them all, answers `job-result`, then pulls the object from the provider (§14.3).', {
      rid,
      file,
      size: t.uint('Bytes of the file.'),
      root: t.binExact(JOB_HASH_LENGTH, 'SHA-256 of the object\'s hash list (§14.3): what names the content.'),
      rate: opt(t.uint('The rate of each transfer of the job, bits per second; the base server\'s own limit when absent.')),
      mrate: opt(t.uint('The media rate the targets stream the file at, bits per second (its sidecar\'s); each target\'s default when absent.', MAX_STREAM_RATE, 1)),
      tag: cookie,
      to: t.list(addr('A target server.'), JOB_PLAN_PART, 'Target servers of this part.'),
      part: t.uint('Index of this part.', MAX_JOB_TARGETS),
      parts: t.uint('Number of parts.', MAX_JOB_TARGETS, 1),
      pad,
      at,
    }),
  'job-result': message(49, ['base → provider'], 'status',
    'The base server\'s answer to a `job-submit` (§14.1).', {
      rid,
      ok: t.bool('True: the job is created, and the base server pulls the file from the provider.'),
      job: opt(t.id('`ok`: the job id.')),
      cmd: opt(t.id('`ok`, the answer to a `job-add`: the command\'s id in the job (§14.8).')),
      code: opt(errorCode('When not: why (§8).')),
      msg: t.str(MAX_ERROR_TEXT, 'What happened, for people.'),
      at,
    }),
  'job-order': message(50, ['base → server', 'server → server'], 'cluster',
    'A source offers a command of a job to a target (S5.2, §14.2), with the part of the plan the target passes it on to. A plan longer than JOB_PLAN_PART comes in `parts` parts. The target answers `job-pull`. An order to a server that holds the object already asks it to serve the plan.', {
      job: t.id('Job id, chosen by the base server.'),
      cmd: t.id('Command id within the job.'),
      op: t.enum(['copy', 'delete', 'verify'] as const, 'The command (§14.8): `copy` the object into service under `file`; `delete` take `file` out of service and remove it; `verify` hash the copy of `file` against `root`. Only a `copy` moves chunks.'),
      file,
      size: t.uint('Bytes of the file (`delete`: 0).'),
      root: t.binExact(JOB_HASH_LENGTH, 'SHA-256 of the object\'s hash list (§14.3); `verify`: of the file\'s copy in the job; `delete`: of an empty object.'),
      base: addr('The base server: where the target sends its notes (§14.4).'),
      mrate: opt(t.uint('The media rate the target streams the file at, bits per second, as the job gives it; its default when absent.', MAX_STREAM_RATE, 1)),
      idx: t.uint('The target\'s index in the job\'s target list.', MAX_JOB_TARGETS - 1),
      tag: t.binExact(COOKIE_LENGTH, 'The transfer\'s cookie, chosen by the source: every `job-pull` echoes it (§9.4).'),
      rate: t.uint('The rate the source offers this target, bits per second.'),
      plan: t.list(t.tuple([
        t.uint('Index in the job\'s target list.', MAX_JOB_TARGETS - 1),
        addr('The target.'),
      ] as const, '[index, address].'), JOB_PLAN_PART, 'Targets the receiver passes the command on to: its part of the plan, this part of it.'),
      part: t.uint('Index of this part of the plan.', MAX_JOB_TARGETS),
      parts: t.uint('Number of parts of the plan.', MAX_JOB_TARGETS, 1),
      at,
    }),
  'job-pull': message(51, ['server → server', 'server → base', 'base → provider'], 'cluster',
    'A receiver asks its source for chunks (§14.3): the ranges it lacks within its window, in order. The source sends those it holds verified, paced at its rate, none twice within JOB_RESEND_HOLDOFF. A pull also acknowledges the order: `parts` lists order parts still missing.', {
      job: t.id('Job id.'),
      cmd: t.id('Command id.'),
      tag: t.binExact(COOKIE_LENGTH, 'The cookie of the source\'s `job-order` (or the provider\'s `job-submit`).'),
      want: t.list(t.tuple([t.uint('First chunk.'), t.uint('Chunk past the last.')] as const, '[from, to).'), JOB_MAX_RANGES, 'Chunks wanted, in order of want.'),
      parts: opt(t.list(t.uint('A part.', MAX_JOB_TARGETS), JOB_MAX_RANGES, 'Parts of the order not yet received.')),
      stop: opt(t.bool('True: the receiver takes nothing more from this source (it holds the object, or turned to another source).')),
      at,
    }),
  chunk: message(52, ['server → server', 'base → server', 'provider → base'], 'none',
    'One chunk of an object (§14.3): chunk `i` of the hash list and content laid end to end. Checked by the hash list, not by a MAC.', {
      job: t.id('Job id.'),
      cmd: t.id('Command id.'),
      i: t.uint('Chunk index.'),
      d: t.bin(JOB_CHUNK, 'The chunk\'s bytes.'),
    }),
  'job-note': message(53, ['server → base'], 'cluster',
    'A target tells the base server the state of a command (S5.3, §14.4): when it gets the order, when it completes or fails, when its source stalls, and in answer to a `job-query`. A source also reports a target it could not reach.', {
      job: t.id('Job id.'),
      cmd: t.id('Command id.'),
      idx: t.uint('The target the note is about: its index in the job\'s target list.', MAX_JOB_TARGETS - 1),
      st: t.enum(['received', 'progress', 'completed', 'failed', 'stalled', 'unknown'] as const, 'The command\'s state at the target; `unknown`: the target does not hold the job.'),
      got: t.uint('Bytes of content the target holds verified.'),
      src: opt(addr('The source it receives from.')),
      up: opt(t.uint('`completed`: the rate it received at, bits per second.')),
      upr: opt(t.uint('`received`: the job upload rate the target supports (its cap over every transfer it serves, §14.3), bits per second: the base server approaches the fastest first (S5.2).')),
      code: opt(errorCode('`failed`: why (§8).')),
      at,
    }),
  'job-query': message(54, ['base → server'], 'cluster',
    'The base server asks a late target for the state of a command (S5.5, §14.5); answered with `job-note`.', {
      job: t.id('Job id.'),
      cmd: t.id('Command id.'),
      idx: t.uint('The target\'s index.', MAX_JOB_TARGETS - 1),
      at,
    }),
  'job-status-request': message(55, ['operator → base'], 'status',
    'Ask the base server for a job\'s state (S5.3, `ofp job status`, §14.6).', {
      rid,
      job: t.id('Job id.'),
      cmd: opt(t.id('The command whose targets the rows are (§14.8); 1, the job\'s copy, when absent.')),
      from: t.uint('Index of the first row of targets.'),
      pad,
      at,
    }),
  'job-status': message(56, ['base → operator'], 'status',
    'One page of a job\'s state (§14.6).', {
      rid,
      job: t.id('Job id.'),
      found: t.bool('False: the base server holds no such job; the other fields are empty.'),
      file,
      size: t.uint('Bytes of the file.'),
      state: t.enum(['uploading', 'running', 'completed', 'failed'] as const, 'The job\'s state: `uploading` while the base server pulls the file from the provider.'),
      age: t.uint('Milliseconds since the job was created.'),
      took: opt(t.uint('`completed` or `failed`: milliseconds from creation to the end.')),
      got: t.uint('Bytes of the file the base server holds.'),
      total: t.uint('Targets.'),
      cmd: opt(t.id('The command the file, size, counts and rows are of (§14.8); 1 when absent.')),
      cmds: opt(t.uint('Commands the job holds; 1 when absent.', MAX_JOB_COMMANDS)),
      op: opt(t.enum(['copy', 'delete', 'verify'] as const, 'The command\'s operation; `copy` when absent.')),
      cst: opt(t.enum(['waiting', 'uploading', 'running', 'completed', 'failed'] as const, 'The command\'s own state; `waiting`: no target has ended the command before it.')),
      counts: t.tuple([
        t.uint('New.'), t.uint('Received.'), t.uint('In progress.'), t.uint('Completed.'), t.uint('Failed.'),
      ] as const, 'Targets in each state: [new, received, progress, completed, failed].'),
      from: t.uint('Index of the first row.'),
      rows: t.list(t.struct({
        idx: t.uint('Index in the target list.'),
        srv: serverName,
        st: t.enum(['new', 'received', 'progress', 'completed', 'failed'] as const, 'The command\'s state there.'),
        got: t.uint('Bytes it holds verified, as it last said.'),
        src: opt(addr('Its source, as it last said.')),
        code: opt(errorCode('`failed`: why.')),
        retry: opt(t.uint('`failed` unreachable: ms from now after which the base server tries it again (JOB_RETRY_DELAY, §14.5); absent once its JOB_RETRY_ROUNDS rounds are spent.')),
      }, 'A target.'), JOB_STATUS_ROWS, 'Targets from `from`.'),
      at,
    }),
  'job-add': message(59, ['provider → base'], 'status',
    'A provider adds a command to a running job (S5.1, §14.8): `copy` another file to the job\'s targets (`size`, `root` and `tag` as in `job-submit`), `delete` a file from them, or `verify` their copy of a file the job copied. The base server answers `job-result` with the command\'s id; a repeated `job-add` (same `rid`) gets the same answer.', {
      rid,
      job: t.id('Job id.'),
      op: t.enum(['copy', 'delete', 'verify'] as const, 'The command.'),
      file,
      size: opt(t.uint('`copy`: bytes of the file.')),
      root: opt(t.binExact(JOB_HASH_LENGTH, '`copy`: SHA-256 of the object\'s hash list (§14.3).')),
      rate: opt(t.uint('`copy`: the rate of each transfer, bits per second; the job\'s when absent.')),
      mrate: opt(t.uint('`copy`: the media rate the targets stream the file at, bits per second.', MAX_STREAM_RATE, 1)),
      tag: cookie,
      pad,
      at,
    }),
  'job-list-request': message(57, ['operator → base'], 'status',
    'Ask the base server for the jobs it holds (`ofp job list`, the dashboard\'s jobs pane, §14.6).', {
      rid,
      from: t.uint('Index of the first job wanted, in the order the base server made them.'),
      pad,
      at,
    }),
  'job-list': message(58, ['base → operator'], 'status',
    'One page of the jobs a base server holds (§14.6), oldest first.', {
      rid,
      total: t.uint('Jobs the base server holds.'),
      from: t.uint('Index of the first row.'),
      rows: t.list(t.struct({
        job: t.id('Job id.'),
        file,
        size: t.uint('Bytes of the file.'),
        state: t.enum(['uploading', 'running', 'completed', 'failed'] as const, 'The job\'s state (as in `job-status`).'),
        age: t.uint('Milliseconds since the job was created.'),
        done: t.uint('Targets completed.'),
        failed: t.uint('Targets failed.'),
        total: t.uint('Targets.'),
        got: t.uint('Bytes the targets hold verified, summed over them (out of `size` × `total`), as they last said.'),
      }, 'A job.'), JOB_LIST_ROWS, 'Jobs from `from`.'),
      at,
    }),
} as const;

export type MessageType = keyof typeof MESSAGES;

export type Message = {
  [K in MessageType]: { type: K } & InferStruct<(typeof MESSAGES)[K]['fields']>;
}[MessageType];

export type MessageOf<K extends MessageType> = Extract<Message, { type: K }>;

/** Static facts a server registers with (S3.5, §12.5): where it is, its cores, its memory (MiB), the latency expected to it (ms). */
export type ServerFacts = Pick<MessageOf<'register'>, 'loc' | 'cpus' | 'mem' | 'lat'>;
/** A message of type K as its sender builds it, before `type` is attached. */
export type Body<K extends MessageType> = Omit<MessageOf<K>, 'type'>;

export const MESSAGE_TYPES = Object.keys(MESSAGES) as MessageType[];

export const TYPE_BY_CODE: ReadonlyMap<number, MessageType> = new Map(
  MESSAGE_TYPES.map((k) => [MESSAGES[k].code, k] as const),
);

/** The byte length of the MAC element that ends an authenticated datagram: bin 8 header + MAC. */
export const MAC_ELEMENT_LENGTH = 2 + MAC_LENGTH;
