/**
 * `ofp media make` and `ofp media check`.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { DEFAULT_BITRATE } from '../media/synthetic.js';
import { MAX_FLOWS } from '../protocol/constants.js';
import { type LogLevel, Output, type OutputMode } from './output.js';
import { checkSyntheticFile, type FlowSpec, makeSyntheticFile, makeSyntheticItem } from './syntheticFile.js';
import { readSidecar, SIDECAR_SUFFIX } from './mediaDir.js';
import { formatBytes, formatRate } from '../view/units.js';
import { parseCount, parseDuration, parseRate } from './units.js';
import { errorLine } from './errorLine.js';
import { UsageError } from '../errors.js';

export interface MakeFlags {
  readonly name: string;
  readonly duration: string;
  /** Absent: the default (single flow), or --flows. */
  readonly bitrate?: string;
  /** `video:4M,audio:128k`: an item of several flows. */
  readonly flows?: string;
  readonly out: string;
  readonly force: boolean;
  readonly output: OutputMode;
  readonly logLevel: LogLevel;
}


/** `video:4M,audio:128k` → flows. */
export function parseFlowSpecs(text: string): FlowSpec[] {
  const items = text.split(',').map((s) => s.trim());
  const specs: FlowSpec[] = [];
  for (const item of items) {
    const m = /^([A-Za-z0-9_-]+):(.+)$/.exec(item);
    if (!m) throw new UsageError('usage', `--flows ${JSON.stringify(text)}: ${JSON.stringify(item)} is not NAME:RATE (a name of letters, digits, - or _), like video:4M,audio:128k`);
    if (specs.some((s) => s.flow === m[1])) throw new UsageError('usage', `--flows ${JSON.stringify(text)} names the flow ${m[1]} twice`);
    specs.push({ flow: m[1]!, rate: parseRate(m[2]!, `--flows ${m[1]}: rate`) });
  }
  if (specs.length < 2 || specs.length > MAX_FLOWS) {
    throw new UsageError('usage', `--flows ${JSON.stringify(text)} has ${specs.length} flow(s): an item has 2 to ${MAX_FLOWS} (for one, use --bitrate)`);
  }
  return specs;
}

export function runMediaMake(f: MakeFlags): number {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  const durationMs = parseDuration(f.duration, '--duration', 's');
  if (f.flows !== undefined) {
    if (f.bitrate !== undefined) throw new UsageError('usage', '--bitrate and --flows exclude each other: each flow of --flows has its own rate (video:4M,audio:128k)');
    const made = makeSyntheticItem({ name: f.name, flows: parseFlowSpecs(f.flows), durationMs, dir: f.out, force: f.force });
    out.summary({ ...made });
    out.result(`made ${made.name}, ${made.flows.length} flows, ${made.size} bytes (${formatBytes(made.size)}), ${made.duration} s at ${formatRate(made.rate)}; manifest ${made.manifest}`);
    for (const fl of made.flows) out.result(`  ${fl.path}: ${fl.size} bytes (${formatBytes(fl.size)}) at ${formatRate(fl.rate)}; sidecar ${fl.sidecar}`);
    return 0;
  }
  const rate = parseRate(f.bitrate ?? DEFAULT_BITRATE, '--bitrate');
  const made = makeSyntheticFile({ name: f.name, durationMs, rate, dir: f.out, force: f.force });
  out.summary({ ...made });
  out.result(`made ${made.path}: ${made.size} bytes (${formatBytes(made.size)}), ${made.duration} s at ${formatRate(made.rate)}; sidecar ${made.sidecar}`);
  return 0;
}

export interface CheckFlags {
  readonly file: string;
  readonly name?: string;
  /** The original the file copies: its name and its size (from its sidecar, or its length). */
  readonly original?: string;
  /** The size the file should have, bytes. */
  readonly size?: string;
  readonly output: OutputMode;
  readonly logLevel: LogLevel;
}

/** The size a checked file should have: --size, or --original's sidecar or length; undefined: its own sidecar says. */
function expectedSize(f: CheckFlags): number | undefined {
  if (f.size !== undefined) return parseCount(f.size, '--size', 0, Number.MAX_SAFE_INTEGER);
  if (f.original === undefined) return undefined;
  try {
    return readSidecar(f.original + SIDECAR_SUFFIX)?.size ?? statSync(f.original).size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError('bad-media', `--original ${f.original} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** 0: intact; 1: not. */
export function runMediaCheck(f: CheckFlags): number {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  const expected = expectedSize(f);
  const c = checkSyntheticFile(f.file, f.name ?? (f.original !== undefined ? basename(f.original) : undefined), expected);
  if (c.expectedSize === undefined) {
    // Every prefix of a synthetic file is synthetic too: without its size, a cut copy would pass.
    throw new UsageError('usage', `${f.file} has no sidecar, so its whole size is unknown: give --original (the file it copies) or --size BYTES`);
  }
  out.summary({ ...c });
  if (c.intact) {
    out.result(`intact: ${c.path} holds the ${c.size} bytes of synthetic ${c.name}`);
    return 0;
  }
  const why = c.expectedSize !== c.size && (c.firstWrong === undefined || c.firstWrong >= Math.min(c.size, c.expectedSize))
    ? c.size < c.expectedSize
      ? `it has ${c.size} of its ${c.expectedSize} bytes: bytes ${c.size} to ${c.expectedSize - 1} are missing`
      : `it has ${c.size} bytes, ${c.size - c.expectedSize} more than its ${c.expectedSize}`
    : `byte ${c.firstWrong} is wrong${c.claims !== undefined ? ` (it holds the bytes of offset ${c.claims})` : ''}`;
  process.stderr.write(errorLine('not-intact', `${c.path} is not synthetic ${c.name}: ${why}`) + '\n');
  return 1;
}
