/**
 * `ofp media make` and `ofp media check`.
 */
import { type LogLevel, Output, type OutputMode } from './output.js';
import { checkSyntheticFile, makeSyntheticFile } from './syntheticFile.js';
import { formatBytes, formatRate, parseDuration, parseRate } from './units.js';
import { errorLine } from './usageError.js';

export interface MakeFlags {
  readonly name: string;
  readonly duration: string;
  readonly bitrate: string;
  readonly out: string;
  readonly force: boolean;
  readonly output: OutputMode;
  readonly logLevel: LogLevel;
}

export function runMediaMake(f: MakeFlags): number {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  const durationMs = parseDuration(f.duration, '--duration', 's');
  const rate = parseRate(f.bitrate, '--bitrate');
  const made = makeSyntheticFile({ name: f.name, durationMs, rate, dir: f.out, force: f.force });
  out.summary({ ...made });
  out.result(`made ${made.path}: ${made.size} bytes (${formatBytes(made.size)}), ${made.duration} s at ${formatRate(made.rate)}; sidecar ${made.sidecar}`);
  return 0;
}

export interface CheckFlags {
  readonly file: string;
  readonly name?: string;
  readonly output: OutputMode;
  readonly logLevel: LogLevel;
}

/** 0: intact; 1: not. */
export function runMediaCheck(f: CheckFlags): number {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  const c = checkSyntheticFile(f.file, f.name);
  out.summary({ ...c });
  if (c.intact) {
    out.result(`intact: ${c.path} holds the ${c.size} bytes of synthetic ${c.name}`);
    return 0;
  }
  const why = c.expectedSize !== undefined && c.expectedSize !== c.size && (c.firstWrong === undefined || c.firstWrong >= Math.min(c.size, c.expectedSize))
    ? `it has ${c.size} bytes, the sidecar says ${c.expectedSize}`
    : `byte ${c.firstWrong} is wrong${c.claims !== undefined ? ` (it holds the bytes of offset ${c.claims})` : ''}`;
  process.stderr.write(errorLine('not-intact', `${c.path} is not synthetic ${c.name}: ${why}`) + '\n');
  return 1;
}
