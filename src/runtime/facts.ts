/**
 * A server's static facts (S3.5, §12.5) as its operator gives them: flags
 * (`--location`, `--cpus`, `--memory`, `--latency`), or a JSON file
 * (`--facts FILE`: `{"location": "par-1", "cpus": 16, "memory": "64G",
 * "latency": "5ms"}`), the flags winning over the file. The server tells
 * its masters in `register`; the `nearest` policy reads the location and the
 * latency, and `ofp master status` shows them.
 */
import { readFileSync } from 'node:fs';
import type { ServerFacts } from '../protocol/messages.js';
import { MAX_NAME } from '../protocol/constants.js';
import { UsageError } from '../errors.js';
import { parseCount, parseDuration } from './units.js';

export interface FactFlags {
  readonly facts?: string;
  readonly location?: string;
  readonly cpus?: string;
  readonly memory?: string;
  readonly latency?: string;
}

const FILE_KEYS = ['location', 'cpus', 'memory', 'latency'] as const;
const MIB: Readonly<Record<string, number>> = { '': 1, m: 1, mi: 1, mib: 1, mb: 1, g: 1024, gi: 1024, gib: 1024, gb: 1024, t: 1024 * 1024, ti: 1024 * 1024, tib: 1024 * 1024, tb: 1024 * 1024 };
/** The wire's bounds (messages.ts: `cpus`, `lat` fit 16 bits). */
const MAX_CPUS = 65_535;
const MAX_LATENCY_MS = 65_535;

/** Memory as people write it: `64G`, `512M`, `2048` (MiB), into MiB. */
export function parseMemory(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? MIB[m[2]!.toLowerCase()] : undefined;
  const mib = m && unit !== undefined ? Math.round(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(mib) || mib < 1 || mib > 0xffff_ffff) throw new UsageError('usage', `${what} ${JSON.stringify(text)} is not an amount of memory: give MiB, or a size like 512M, 64G or 1T`);
  return mib;
}

function readFactsFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError('usage', `--facts ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError('usage', `--facts ${path} is not JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new UsageError('usage', `--facts ${path} must hold one JSON object, like {"location": "par-1", "cpus": 16, "memory": "64G", "latency": "5ms"}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (!(FILE_KEYS as readonly string[]).includes(k)) throw new UsageError('usage', `--facts ${path}: unknown key ${JSON.stringify(k)}; known keys: ${FILE_KEYS.join(', ')}`);
    if (typeof v !== 'string' && typeof v !== 'number') throw new UsageError('usage', `--facts ${path}: ${k} must be a string or a number`);
    out[k] = String(v);
  }
  return out;
}

/** The facts the flags and the file give; `{}` when none. Throws UsageError with the flag (or file) named. */
export function parseFacts(f: FactFlags): ServerFacts {
  const file = f.facts !== undefined ? readFactsFile(f.facts) : {};
  const from = (flag: keyof FactFlags & string, key: string) => (f[flag] !== undefined ? { text: f[flag], what: `--${flag}` } : file[key] !== undefined ? { text: file[key], what: `--facts ${f.facts}: ${key}` } : undefined);
  const location = from('location', 'location');
  const cpus = from('cpus', 'cpus');
  const memory = from('memory', 'memory');
  const latency = from('latency', 'latency');
  if (location && (location.text.length === 0 || Buffer.byteLength(location.text) > MAX_NAME)) throw new UsageError('usage', `${location.what} must be 1 to ${MAX_NAME} bytes`);
  const lat = latency ? Math.round(parseDuration(latency.text, latency.what, 'ms', true)) : undefined;
  if (latency && lat! > MAX_LATENCY_MS) throw new UsageError('usage', `${latency.what} ${JSON.stringify(latency.text)}: at most ${MAX_LATENCY_MS} ms`);
  return {
    ...(location ? { loc: location.text } : {}),
    ...(cpus ? { cpus: parseCount(cpus.text, cpus.what, 1, MAX_CPUS) } : {}),
    ...(memory ? { mem: parseMemory(memory.text, memory.what) } : {}),
    ...(lat !== undefined ? { lat } : {}),
  };
}
