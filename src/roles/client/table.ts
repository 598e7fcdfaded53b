/**
 * The client's states and the moves between them (§6.2, §10.6): the table the
 * client core follows and the spec draws. A move that is not here is a bug
 * (stateMachine.ts `mustMove`).
 */
import { defineTable } from '../stateMachine.js';

export type ClientState = 'idle' | 'asking' | 'requesting' | 'starting' | 'playing' | 'done' | 'failed' | 'stopped';
export type ClientTrigger =
  | 'start' | 'redirect' | 'server-list' | 'setup' | 'data' | 'complete' | 'switch' | 'change'
  | 'server-failed' | 'refused' | 'gave-up' | 'stay' | 'stop';

/** The client's state machine (§6.2, §10.6), drawn in the spec. */
export const CLIENT_TABLE = defineTable<ClientState, ClientTrigger>({
  name: 'client',
  initial: 'idle',
  states: {
    idle: 'Not started.',
    asking: 'Waiting for a master\'s answer to `request`; retried, then the next master (S4.3).',
    requesting: 'Redirected or chose from the list: waiting for the server\'s `setup`.',
    starting: 'Sent `play`; waiting for the first `data` (an old server being left may still deliver).',
    playing: 'Receiving; `ack` every ACK_INTERVAL for each flow.',
    done: 'Every byte of every flow handed on; `teardown` sent.',
    failed: 'Gave up, with an error code; the bytes handed on so far are kept.',
    stopped: 'Stopped by its user; `teardown` sent.',
  },
  transitions: [
    { from: 'idle', on: 'start', to: 'asking', doc: 'send `request` to a master' },
    { from: 'asking', on: 'redirect', to: 'requesting', doc: '`redirect`: send `request` to the server named' },
    { from: 'asking', on: 'server-list', to: 'requesting', doc: '`server-list`: choose a server, send it `request`' },
    { from: ['asking', 'requesting'], on: 'setup', to: 'starting', doc: '`setup` (relayed by the master, or from the server): send `play`' },
    { from: ['starting', 'playing'], on: 'data', to: 'playing', doc: '`data` from the stream\'s server' },
    { from: ['starting', 'playing'], on: 'switch', to: 'starting', doc: '`switch` with a valid handoff token from the current server: `play` at the new server, keep taking the old one\'s data until the new one delivers' },
    { from: 'playing', on: 'change', to: 'asking', doc: 'change indicator and no `switch` within CHANGE_GRACE: ask a master again from the current byte, keep taking the old server\'s data (S2.5c)' },
    { from: ['asking', 'requesting', 'starting', 'playing'], on: 'complete', to: 'done', doc: 'every byte handed on (the last ones may come from a server being left): a last `ack`, then `teardown`' },
    { from: ['requesting', 'starting', 'playing'], on: 'server-failed', to: 'asking', doc: 'no answer after ATTEMPTS_PER_PEER tries, silence, `end` or a refusal: ask a master again from the current byte, avoiding that server (S4.5)' },
    { from: 'asking', on: 'refused', to: 'failed', doc: '`error` from the master that retrying cannot fix (`not-found`, `bad-request`, or `no-capacity` before any server has set a stream up)' },
    { from: 'asking', on: 'gave-up', to: 'failed', doc: 'no master answered in MASTER_ROUNDS rounds' },
    { from: 'asking', on: 'stay', to: 'playing', doc: 'no master has another server, but the server being left (draining) still delivers: stay with it until it ends the stream' },
    { from: ['idle', 'asking', 'requesting', 'starting', 'playing'], on: 'stop', to: 'stopped', doc: 'stopped by its user' },
  ],
});
