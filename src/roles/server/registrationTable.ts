/**
 * A server's registration states and the moves between them (§6.5): the
 * table the registration sub-machine (registration.ts) follows and the spec
 * draws. A move that is not here is a bug (stateMachine.ts `mustMove`).
 */
import { defineTable } from '../stateMachine.js';

export type RegistrationState = 'registering' | 'listing' | 'registered' | 'stopped';
export type RegistrationTrigger = 'register-ack' | 'content-complete' | 'not-registered' | 'refused' | 'master-silent' | 'stop';

/** A server's registration with its master (§6.5), drawn in the spec. */
export const REGISTRATION_TABLE = defineTable<RegistrationState, RegistrationTrigger>({
  name: 'server: registration',
  initial: 'registering',
  states: {
    registering: 'Sending `register` (retried with back-off) until `register-ack`.',
    listing: 'Sending the `content` parts (each retried) until every part is acknowledged.',
    registered: 'In the catalog: answering polls, pushing load reports.',
    stopped: 'Sent `leave`; takes nothing more.',
  },
  transitions: [
    { from: 'registering', on: 'register-ack', to: 'listing', doc: '`register-ack` from the master' },
    { from: 'listing', on: 'content-complete', to: 'registered', doc: 'every `content` part acknowledged' },
    { from: ['listing', 'registered'], on: 'not-registered', to: 'registering', doc: '`error` `not-registered` from the master (it restarted or forgot us)' },
    { from: ['registering', 'listing'], on: 'refused', to: 'registering', doc: '`error` `over-limit` from the master (§4.6): it registers again after REGISTER_RETRY_MAX' },
    { from: ['listing', 'registered'], on: 'master-silent', to: 'registering', doc: 'nothing from the master for MASTER_SILENCE_POLLS poll intervals' },
    { from: ['registering', 'listing', 'registered'], on: 'stop', to: 'stopped', doc: 'the server stops (at once, or once drained)' },
  ],
});
