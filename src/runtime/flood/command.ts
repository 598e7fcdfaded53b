/**
 * `ofp tool flood`: parse its flags, run the flood, print the summary.
 */
import { type LogLevel, Output, type OutputMode } from '../output.js';
import { formatBytes, formatDuration } from '../../view/units.js';
import { parseCount, parseDuration } from '../units.js';
import { UsageError } from '../../errors.js';
import { FLOOD_KINDS, FLOOD_MAX_DURATION, FLOOD_MAX_RATE, isFloodKind } from './catalog.js';
import { type FloodOptions, type FloodResult, runFlood } from './flood.js';
import { parseFloodTarget } from './target.js';

export interface FloodFlags {
  readonly target: string;
  readonly rate: number | string;
  readonly duration: string;
  readonly kind: string;
  readonly file: string;
  readonly seed?: number | string;
  readonly output: OutputMode;
  readonly logLevel: LogLevel;
}

export function parseFloodFlags(f: FloodFlags): FloodOptions {
  const target = parseFloodTarget(f.target);
  if (!isFloodKind(f.kind)) throw new UsageError('usage', `--kind ${JSON.stringify(f.kind)} is not a kind: use one of ${FLOOD_KINDS.join(', ')}`);
  const rate = parseCount(f.rate, '--rate', 1, FLOOD_MAX_RATE);
  const duration = parseDuration(f.duration, '--duration', 's');
  if (duration > FLOOD_MAX_DURATION) throw new UsageError('bad-duration', `--duration ${f.duration} is longer than the ${FLOOD_MAX_DURATION / 1000} s a flood may last`);
  const seed = f.seed === undefined ? Math.floor(Math.random() * 0xffff_ffff) : parseCount(f.seed, '--seed', 0, 0xffff_ffff);
  return { target, kind: f.kind, rate, duration, file: f.file, seed };
}

export function floodLines(r: FloodResult): string[] {
  const perSecond = r.ms > 0 ? Math.round((r.sent * 1000) / r.ms) : 0;
  const lines = [
    `flood ${r.target} ${r.kind}: sent ${r.sent} datagrams (${formatBytes(r.sentBytes)}) in ${formatDuration(r.ms)} (${perSecond}/s)${r.sendErrors ? `, ${r.sendErrors} send errors` : ''}`,
    `answers: ${r.answers} datagrams (${formatBytes(r.answerBytes)}); amplification ${r.amplification.toFixed(4)} (bytes received ÷ bytes sent)`,
  ];
  for (const [type, n] of Object.entries(r.answerTypes).sort((a, b) => b[1] - a[1])) lines.push(`  ${type}: ${n}`);
  return lines;
}

/** Run the flood; the exit code. */
export async function runFloodCommand(f: FloodFlags): Promise<number> {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  const o = parseFloodFlags(f);
  out.event({ type: 'flood-start', target: o.target.address, kind: o.kind, rate: o.rate, ms: o.duration, seed: o.seed });
  const r = await runFlood(o, (p) => out.event({ type: 'flood-progress', level: 'debug', sent: p.sent, answers: p.answers }));
  out.summary({ ...r, seed: o.seed });
  for (const line of floodLines(r)) out.result(line);
  return 0;
}
