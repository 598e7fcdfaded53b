/**
 * A base server's record of one job (§14.10): what it keeps in its store so
 * that a restart loses no job. Plain JSON, one record a job, written whole
 * each time: the job's targets, each command's op, file, size, root and rates,
 * who sent it and with what cookie, and each command's state at each target.
 * What the base server learns again by asking (a target's bytes, its source,
 * its timers) is not the record's business.
 *
 * `parseJobRecord` reads a record back from text and never throws: a file cut
 * short, or written by something else, is a problem named, and is skipped.
 */
import { ERRORS, type WireErrorCode } from '../../protocol/errors.js';
import { MAX_JOB_COMMANDS, MAX_JOB_TARGETS } from '../../protocol/constants.js';

/** The version of the record's layout: a record of another version is skipped, named. */
export const JOB_RECORD_VERSION = 1;

export type RecordTargetState = 'new' | 'received' | 'progress' | 'completed' | 'failed';
export type RecordCommandState = 'waiting' | 'uploading' | 'running' | 'completed' | 'failed';
export type RecordJobState = 'uploading' | 'running' | 'completed' | 'failed';

/** A target's state for one command: [state, bytes held, code or null, failed at or null, retry rounds, repairs, its source or null]. */
export type TargetRow = readonly [RecordTargetState, number, WireErrorCode | null, number | null, number, number, string | null];

export interface CommandRecord {
  readonly op: 'copy' | 'delete' | 'verify';
  readonly file: string;
  readonly size: number;
  /** The root, in hex. */
  readonly root: string;
  readonly rate: number;
  readonly mrate?: number;
  readonly created: number;
  readonly state: RecordCommandState;
  readonly code?: WireErrorCode;
  readonly endedAt?: number;
  /** Who submitted or added it, and the request id it answered: a repeated request is answered again. */
  readonly from: string;
  readonly rid: number;
  /** A copy's provider cookie, in hex: a restarted base server pulls an upload it lacks with it. */
  readonly tag?: string;
  /** Its state at each target, in the job's target order. */
  readonly t: readonly TargetRow[];
}

export interface JobRecord {
  readonly v: typeof JOB_RECORD_VERSION;
  readonly id: number;
  readonly provider: string;
  readonly created: number;
  readonly state: RecordJobState;
  readonly code?: WireErrorCode;
  readonly endedAt?: number;
  readonly targets: readonly string[];
  readonly commands: readonly CommandRecord[];
}

export const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export function fromHex(s: string): Uint8Array | undefined {
  if (s.length % 2 !== 0 || !/^[0-9a-f]*$/.test(s)) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const TARGET_STATES: readonly string[] = ['new', 'received', 'progress', 'completed', 'failed'];
const COMMAND_STATES: readonly string[] = ['waiting', 'uploading', 'running', 'completed', 'failed'];
const JOB_STATES: readonly string[] = ['uploading', 'running', 'completed', 'failed'];
const OPS: readonly string[] = ['copy', 'delete', 'verify'];

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isCode = (x: unknown): x is WireErrorCode => typeof x === 'string' && Object.hasOwn(ERRORS, x) && ERRORS[x as keyof typeof ERRORS].wire;
const isHex = (x: unknown): x is string => typeof x === 'string' && fromHex(x) !== undefined;

/** The record `text` holds, or what is wrong with it. */
export function parseJobRecord(text: string): { readonly ok: true; readonly record: JobRecord } | { readonly ok: false; readonly problem: string } {
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch (e) {
    return { ok: false, problem: `not JSON (${e instanceof Error ? e.message : String(e)}): cut short, or not a job record` };
  }
  const problem = jobProblem(x);
  return problem ? { ok: false, problem } : { ok: true, record: x as JobRecord };
}

function jobProblem(x: unknown): string | undefined {
  if (!isObject(x)) return 'not a job record';
  if (x.v !== JOB_RECORD_VERSION) return `a record of layout ${JSON.stringify(x.v)}, not ${JOB_RECORD_VERSION}`;
  if (!isCount(x.id) || x.id > 0xffff_ffff) return 'no job id';
  if (typeof x.provider !== 'string' || !isTime(x.created)) return 'no provider or creation time';
  if (typeof x.state !== 'string' || !JOB_STATES.includes(x.state)) return `job state ${JSON.stringify(x.state)}`;
  if (x.code !== undefined && !isCode(x.code)) return `job code ${JSON.stringify(x.code)}`;
  if (x.endedAt !== undefined && !isTime(x.endedAt)) return 'job end time';
  if (!Array.isArray(x.targets) || x.targets.length === 0 || x.targets.length > MAX_JOB_TARGETS || !x.targets.every((t) => typeof t === 'string')) return 'targets';
  if (new Set(x.targets).size !== x.targets.length) return 'a target twice';
  if (!Array.isArray(x.commands) || x.commands.length === 0 || x.commands.length > MAX_JOB_COMMANDS) return 'commands';
  for (const [k, c] of x.commands.entries()) {
    const p = commandProblem(c, x.targets.length, k === 0);
    if (p) return `command ${k + 1}: ${p}`;
  }
  return undefined;
}

function commandProblem(c: unknown, targets: number, first: boolean): string | undefined {
  if (!isObject(c)) return 'not a command';
  if (typeof c.op !== 'string' || !OPS.includes(c.op) || (first && c.op !== 'copy')) return `op ${JSON.stringify(c.op)}`;
  if (typeof c.file !== 'string' || !isCount(c.size) || !isHex(c.root) || !isCount(c.rate) || c.rate === 0) return 'file, size, root or rate';
  if (c.mrate !== undefined && !isCount(c.mrate)) return 'mrate';
  if (!isTime(c.created) || typeof c.from !== 'string' || !isCount(c.rid)) return 'creation, sender or request id';
  if (typeof c.state !== 'string' || !COMMAND_STATES.includes(c.state)) return `state ${JSON.stringify(c.state)}`;
  if (c.code !== undefined && !isCode(c.code)) return `code ${JSON.stringify(c.code)}`;
  if (c.endedAt !== undefined && !isTime(c.endedAt)) return 'end time';
  if (c.op === 'copy' && !isHex(c.tag)) return 'a copy without its provider\'s cookie';
  if (!Array.isArray(c.t) || c.t.length !== targets) return 'not one row per target';
  for (const row of c.t as unknown[]) {
    if (!Array.isArray(row) || row.length !== 7) return 'a target row';
    const [st, got, code, failedAt, retries, repairs, src] = row as unknown[];
    if (typeof st !== 'string' || !TARGET_STATES.includes(st) || !isCount(got) || (code !== null && !isCode(code)) || (failedAt !== null && !isTime(failedAt)) || !isCount(retries) || !isCount(repairs) || (src !== null && typeof src !== 'string')) return `a target row ${JSON.stringify(row)}`;
  }
  return undefined;
}
