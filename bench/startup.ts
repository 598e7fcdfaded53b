/**
 * Start-up: how long `ofp` takes, as a whole process, before it has done
 * what it was asked, against bare `node -e 0` measured in the same run.
 *
 *  - `ofp --version` and `ofp COMMAND --help`: from spawn to exit;
 *  - the roles (`ofp master`, `ofp server`, `ofp client get`): from spawn to
 *    their first `--json-stream` line, `listening` (then they are killed).
 *
 * The runs alternate (node, then each command, round after round), so a
 * machine that slows down or speeds up during the run weighs on both sides;
 * the figure is the median of a command over the median of node. Each command
 * runs once before the measurement: its first run after a build compiles the
 * code that the next runs take from V8's cache (bin/run.js), and that first
 * run is reported apart.
 */
import { spawn } from 'node:child_process';
import { median } from './stats.js';

export interface StartupSettings {
  /** Measured runs of each command (and of node per command). */
  readonly runs: number;
  /** A run that has not ended (or printed its first line) after this long fails the section, ms. */
  readonly timeoutMs: number;
}

export interface StartupCommand {
  /** How the table names it: `ofp --version`, `ofp master (listening)`. */
  readonly name: string;
  readonly args: readonly string[];
  /** Until the first stdout line (a role), or until the process exits. */
  readonly until: 'first-line' | 'exit';
}

export interface StartupRow {
  readonly name: string;
  /** Wall time of each measured run, ms. */
  readonly samples: readonly number[];
  readonly medianMs: number;
  /** median ÷ node's median. */
  readonly ratio: number;
  /** The run before the measured ones (after a build: no code cache yet), ms. */
  readonly firstRunMs: number;
}

export interface StartupResults {
  readonly settings: StartupSettings;
  readonly node: { readonly samples: readonly number[]; readonly medianMs: number };
  readonly rows: readonly StartupRow[];
  /** The largest ratio of a row. */
  readonly worstRatio: number;
}

/** How long a role's first run goes on after its first line, ms: as a user's would, long enough to keep its compiled code. */
const FIRST_RUN_LINGER = 300;

/** The aim: every command within twice bare node. */
export const STARTUP_AIM = 2;

/** The commands measured: what a user types first, and the roles' start. `media` is a directory of media, `master` an address. */
export function startupCommands(ofp: string, media: string, master: string, out: string): StartupCommand[] {
  return [
    { name: 'ofp --version', args: [ofp, '--version'], until: 'exit' },
    { name: 'ofp master --help', args: [ofp, 'master', '--help'], until: 'exit' },
    { name: 'ofp client get --help', args: [ofp, 'client', 'get', '--help'], until: 'exit' },
    { name: 'ofp master (listening)', args: [ofp, 'master', '--port', '0', '--json-stream'], until: 'first-line' },
    { name: 'ofp server (listening)', args: [ofp, 'server', '--master', master, '--media', media, '--port', '0', '--json-stream'], until: 'first-line' },
    { name: 'ofp client get (listening)', args: [ofp, 'client', 'get', 'none.ts', '--master', master, '--out', out, '--force', '--json-stream'], until: 'first-line' },
  ];
}

/**
 * Wall time of one process, ms: from spawn to exit, or to its first line of stdout (then it is
 * killed, `lingerMs` later: a role's first run keeps its compiled code just after that line).
 */
export function timeOnce(args: readonly string[], until: 'first-line' | 'exit', timeoutMs: number, lingerMs = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      settle(() => reject(new Error(`node ${args.join(' ')}: no ${until === 'exit' ? 'exit' : 'first line'} after ${timeoutMs} ms`)));
    }, timeoutMs);
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (until !== 'first-line') return;
      out += s;
      if (!out.includes('\n')) return;
      const ms = performance.now() - t0;
      clearTimeout(timer);
      settled = true;
      setTimeout(() => {
        proc.kill('SIGKILL');
        resolve(ms);
      }, lingerMs);
    });
    proc.on('error', (e) => settle(() => reject(e)));
    proc.on('close', (code) => {
      const ms = performance.now() - t0;
      if (until === 'exit' && code === 0) settle(() => resolve(ms));
      else settle(() => reject(new Error(`node ${args.join(' ')} ended (status ${code}) before ${until === 'exit' ? 'it succeeded' : 'its first line'}`)));
    });
  });
}

export async function benchStartup(commands: readonly StartupCommand[], s: StartupSettings, progress: (line: string) => void): Promise<StartupResults> {
  const node = ['-e', '0'];
  const first: number[] = [];
  for (const c of commands) first.push(await timeOnce(c.args, c.until, s.timeoutMs, FIRST_RUN_LINGER));
  const nodeSamples: number[] = [];
  const samples: number[][] = commands.map(() => []);
  for (let run = 0; run < s.runs; run++) {
    for (const [i, c] of commands.entries()) {
      nodeSamples.push(await timeOnce(node, 'exit', s.timeoutMs));
      samples[i]!.push(await timeOnce(c.args, c.until, s.timeoutMs));
    }
  }
  const nodeMs = median(nodeSamples);
  const rows = commands.map((c, i) => {
    const medianMs = median(samples[i]!);
    return { name: c.name, samples: samples[i]!, medianMs, ratio: medianMs / nodeMs, firstRunMs: first[i]! };
  });
  for (const r of rows) progress(`startup: ${r.name} ${r.medianMs.toFixed(0)} ms, ${r.ratio.toFixed(2)}× node (${nodeMs.toFixed(0)} ms)`);
  return { settings: s, node: { samples: nodeSamples, medianMs: nodeMs }, rows, worstRatio: Math.max(...rows.map((r) => r.ratio)) };
}
