/**
 * A server's registration with its master (§6.5, S1.1): a sub-machine of the
 * media server core. It keeps the state (REGISTRATION_TABLE), the content list
 * cut into parts and which parts are acknowledged, the cookie, the poll
 * interval, when the master was last heard from, and the retry back-off. Each
 * input returns a step: what to send to the master and what to report, in
 * order. It never sends or reports anything itself: the server core does.
 */
import {
  MASTER_SILENCE_POLLS,
  MAX_CONTENT_FILES,
  MAX_DATAGRAM,
  POLL_INTERVAL,
  REGISTER_RETRY,
  REGISTER_RETRY_MAX,
} from '../../protocol/constants.js';
import { widestLength } from '../../protocol/codec.js';
import { type MessageOf, MESSAGES, type ServerFacts } from '../../protocol/messages.js';
import { ListFill } from '../../protocol/sizes.js';
import { canMove, mustMove } from '../stateMachine.js';
import type { RegistrationEvent, ServerEvent } from './events.js';
import { REGISTRATION_TABLE, type RegistrationState, type RegistrationTrigger } from './registrationTable.js';

export { REGISTRATION_TABLE, type RegistrationState, type RegistrationTrigger } from './registrationTable.js';

/** What the registration has the server send to its master (`register` without its padding: the server pads it). */
export type RegistrationMessage = MessageOf<'register'> | MessageOf<'content'> | MessageOf<'leave'>;

/** What the registration has the server report. */
export type RegistrationReport = RegistrationEvent | Extract<ServerEvent, { type: 'registration-refused' | 'master-forgot' | 'master-silent' }>;

/** The outcome of one input: sent first, then reported, each in order. */
export interface RegistrationStep {
  readonly send: RegistrationMessage[];
  readonly events: RegistrationReport[];
  /** Now registered: the server reports its load and tells the master of its playing streams again. */
  registered: boolean;
  /** The input is not for this server (a `register-ack` of another one): the server drops it, saying why. */
  dropped?: string;
}

/** Who the server is, to its master. */
export interface RegistrationConfig {
  readonly name: string;
  readonly master: string;
  readonly group: string;
  readonly epoch: number;
  /** The content list: name, size, rate of every file listed (the server adds to it, §14.4). */
  readonly files: readonly (readonly [string, number, number])[];
  /** Static facts it tells its masters (S3.5, §12.5). */
  readonly facts?: ServerFacts;
}


export class Registration {
  private current: RegistrationState = REGISTRATION_TABLE.initial;
  private readonly parts: MessageOf<'content'>['files'][] = [];
  private readonly acked = new Set<number>();
  private cookieNow: Uint8Array | undefined;
  private interval = POLL_INTERVAL;
  private retryAt: number | undefined;
  private retryDelay = REGISTER_RETRY;
  /** `over-limit` answers since the server was last registered (§4.6). */
  private refusals = 0;
  private lastHeard = 0;
  /** The content list, as it stands: the configured one and the files added since. */
  private files: (readonly [string, number, number])[];
  /** Additions and removals sent to the master and not acknowledged, by number (§14.4): at most one per name. */
  private readonly additions = new Map<number, { readonly file: readonly [string, number, number]; readonly rm: boolean }>();
  private nextAddition = 0;
  private additionRetryAt: number | undefined;

  constructor(private readonly config: RegistrationConfig) {
    this.files = [...config.files];
    this.splitContent();
  }

  /**
   * A file joins the content list (a distribution job's, §14.4): a registered server tells its
   * master at once (`content` `add`), until acknowledged; any later registration lists it.
   */
  addFile(file: readonly [string, number, number], now: number): RegistrationStep {
    const step = newStep();
    this.files = [...this.files.filter((f) => f[0] !== file[0]), file];
    return this.change(file, false, now, step);
  }

  /**
   * A file leaves the content list (a distribution job deleted it, §14.4): a registered server tells
   * its master at once (`content` `rm`), until acknowledged; any later registration leaves it out.
   */
  removeFile(name: string, now: number): RegistrationStep {
    const step = newStep();
    const had = this.files.find((f) => f[0] === name);
    if (!had) return step;
    this.files = this.files.filter((f) => f[0] !== name);
    return this.change(had, true, now, step);
  }

  private change(file: readonly [string, number, number], rm: boolean, now: number, step: RegistrationStep): RegistrationStep {
    if (this.current === 'stopped') return step;
    // One change owed per name: the last one (a removal after an addition, both in flight, could arrive first).
    for (const [n, c] of this.additions) if (c.file[0] === file[0]) this.additions.delete(n);
    // Told as a change once registered (the parts of a list under way stay as they were).
    this.additions.set(this.nextAddition++ % 65_535, { file, rm });
    if (this.current === 'registered') this.sendAdditions(step, now);
    return step;
  }

  private sendAdditions(step: RegistrationStep, now: number): void {
    for (const [n, { file, rm }] of this.additions) {
      step.send.push({ type: 'content', name: this.config.name, epoch: this.config.epoch, cookie: this.cookieNow!, part: n, parts: this.parts.length, files: [[file[0], file[1], file[2]]], ...(rm ? { rm: true } : { add: true }) });
    }
    this.additionRetryAt = this.additions.size > 0 ? now + REGISTER_RETRY : undefined;
  }

  get state(): RegistrationState {
    return this.current;
  }

  /** The cookie of the master's `register-ack`, until it is forgotten (the server registers again). */
  get cookie(): Uint8Array | undefined {
    return this.cookieNow;
  }

  /** The master's poll interval, as its `register-ack` gave it. */
  get pollInterval(): number {
    return this.interval;
  }

  /** When the master was last heard from. */
  get lastFromMaster(): number {
    return this.lastHeard;
  }

  /** When `register` or the unacknowledged `content` parts (or additions) are sent again, if they are. */
  retryDeadline(): number | undefined {
    if (this.additionRetryAt === undefined) return this.retryAt;
    return this.retryAt === undefined ? this.additionRetryAt : Math.min(this.retryAt, this.additionRetryAt);
  }

  /** When the master, silent since, counts as gone: only while registered. */
  silenceDeadline(): number | undefined {
    return this.current === 'registered' ? this.lastHeard + MASTER_SILENCE_POLLS * this.interval : undefined;
  }

  /**
   * Cut the content list into parts that each fit in one datagram, whatever its
   * index, its cookie and its time stamp turn out to be (and with a MAC): a part's
   * size is computed at its widest, file by file, and never encoded to be measured.
   */
  private splitContent(): void {
    const all = [...this.files].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map((f) => [f[0], f[1], f[2]] as [string, number, number]);
    const widest = widestLength('content', { name: this.config.name, epoch: this.config.epoch, files: [] }, ['cookie', 'part', 'parts', 'at'], true);
    const newPart = () => new ListFill<[string, number, number]>(MESSAGES.content.fields.files.of!, widest, MAX_DATAGRAM, MAX_CONTENT_FILES);
    let part = newPart();
    for (const entry of all) {
      if (part.add(entry)) continue;
      if (part.items.length > 0) {
        this.parts.push(part.items);
        part = newPart();
      }
      // A part holds at least one file, whatever its size (a file name is short enough to fit, §7.1).
      part.push(entry);
    }
    this.parts.push(part.items);
  }

  /** The server starts: its first `register`. `cap`: its capacity now. */
  start(now: number, cap: number): RegistrationStep {
    const step = newStep();
    this.sendRegister(step, now, cap);
    return step;
  }

  /** Anything authentic came from the master. */
  heard(now: number): void {
    this.lastHeard = now;
  }

  onRegisterAck(msg: MessageOf<'register-ack'>, now: number): RegistrationStep {
    const step = newStep();
    if (msg.epoch !== this.config.epoch || msg.name !== this.config.name) {
      step.dropped = 'register-ack for another server';
      return step;
    }
    this.interval = msg.interval > 0 ? msg.interval : POLL_INTERVAL;
    if (this.current === 'registering') {
      this.cookieNow = msg.cookie;
      this.move(step, 'register-ack', now, 0);
    }
    return step;
  }

  onContentAck(msg: MessageOf<'content-ack'>, now: number): RegistrationStep {
    const step = newStep();
    if (msg.add) {
      if (msg.epoch === this.config.epoch) this.additions.delete(msg.part);
      if (this.additions.size === 0) this.additionRetryAt = undefined;
      return step;
    }
    if (msg.epoch !== this.config.epoch || this.current !== 'listing') return step;
    this.acked.add(msg.part);
    if (this.acked.size >= this.parts.length) this.move(step, 'content-complete', now, 0);
    return step;
  }

  /** An `error` from the master: `not-registered` and `over-limit` are the registration's. `cap`: the server's capacity now. */
  onError(msg: MessageOf<'error'>, now: number, cap: number): RegistrationStep {
    const step = newStep();
    if (msg.code === 'not-registered') {
      step.events.push({ type: 'master-forgot', level: 'warn', master: this.config.master });
      // Not registered yet: it is registering already.
      if (canMove(REGISTRATION_TABLE, this.current, 'not-registered')) this.move(step, 'not-registered', now, cap);
    } else if (msg.code === 'over-limit' && (this.current === 'registering' || this.current === 'listing')) {
      // Said once per run of refusals: the server tries again every REGISTER_RETRY_MAX.
      step.events.push({ type: 'registration-refused', level: this.refusals++ === 0 ? 'error' : 'debug', master: this.config.master, detail: msg.msg });
      this.move(step, 'refused', now, cap);
    }
    return step;
  }

  /** The retry deadline is due: `register`, or the `content` parts not acknowledged, again. */
  onRetry(now: number, cap: number): RegistrationStep {
    const step = newStep();
    if (this.additionRetryAt !== undefined && now >= this.additionRetryAt && this.current === 'registered') this.sendAdditions(step, now);
    if (this.retryAt === undefined || now < this.retryAt) return step;
    if (this.current === 'registering') this.sendRegister(step, now, cap);
    else if (this.current === 'listing') this.sendContent(step, now);
    return step;
  }

  /** The silence deadline is due: the master is gone, register again. */
  onSilence(now: number, cap: number): RegistrationStep {
    const step = newStep();
    step.events.push({ type: 'master-silent', level: 'warn', master: this.config.master });
    this.move(step, 'master-silent', now, cap);
    return step;
  }

  /** The server stops: `leave`, when the master knows it. */
  stop(now: number): RegistrationStep {
    const step = newStep();
    if (this.cookieNow) step.send.push({ type: 'leave', name: this.config.name, epoch: this.config.epoch, cookie: this.cookieNow });
    if (canMove(REGISTRATION_TABLE, this.current, 'stop')) this.move(step, 'stop', now, 0);
    this.retryAt = undefined;
    return step;
  }

  private sendRegister(step: RegistrationStep, now: number, cap: number): void {
    step.send.push({
      type: 'register',
      name: this.config.name,
      epoch: this.config.epoch,
      cap,
      group: this.config.group,
      files: this.files.length,
      parts: this.parts.length,
      ...this.config.facts,
    });
    this.backOff(now);
  }

  private sendContent(step: RegistrationStep, now: number): void {
    for (let i = 0; i < this.parts.length; i++) {
      if (this.acked.has(i)) continue;
      step.send.push({
        type: 'content',
        name: this.config.name,
        epoch: this.config.epoch,
        cookie: this.cookieNow!,
        part: i,
        parts: this.parts.length,
        files: this.parts[i]!,
      });
    }
    this.backOff(now);
  }

  private backOff(now: number): void {
    this.retryAt = now + this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, REGISTER_RETRY_MAX);
  }

  /** The only way the state changes: through REGISTRATION_TABLE (a move it does not have is a bug). `cap`: for a `register` it sends. */
  private move(step: RegistrationStep, on: RegistrationTrigger, now: number, cap: number): void {
    const to = mustMove(REGISTRATION_TABLE, this.current, on);
    const from = this.current;
    this.current = to;
    step.events.push({ type: `registration-${to}` as const, level: to === 'registered' ? 'info' : 'debug', from, on, master: this.config.master });
    this.retryDelay = REGISTER_RETRY;
    if (to === 'registering') {
      this.cookieNow = undefined;
      this.acked.clear();
      // The list it registers with holds every file added: no addition is owed any more.
      this.additions.clear();
      this.additionRetryAt = undefined;
      this.parts.length = 0;
      this.splitContent();
      if (on === 'refused') {
        // The master would refuse it again at once: wait as long as the back-off ever does.
        this.retryDelay = REGISTER_RETRY_MAX;
        this.retryAt = now + REGISTER_RETRY_MAX;
      } else {
        this.sendRegister(step, now, cap);
      }
    } else if (to === 'listing') {
      this.sendContent(step, now);
    } else if (to === 'registered') {
      this.retryAt = undefined;
      this.refusals = 0;
      step.registered = true;
      if (this.additions.size > 0) this.sendAdditions(step, now);
    }
  }
}

function newStep(): RegistrationStep {
  return { send: [], events: [], registered: false };
}
