/**
 * One folder per run, `runs/<scenario>/<timestamp>-<mode>-seed<N>/`, and a
 * `latest` link per scenario: run.json (scenario, seed, mode, verdicts,
 * figures), events.ndjson, trace.ndjson, summary.md and logs/ (each role's
 * log; one combined log when a run has too many nodes for a file each).
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ModeOutput, Scenario } from '../scenario/types.js';
import type { RunResult } from './result.js';
import { summaryMarkdown } from './summary.js';

/** Above this many nodes with a log, the logs go into one file (logs/all.log). */
export const MAX_LOG_FILES = 200;

/** A fresh folder for a run, under `root/<scenario>/`. */
export function runDir(root: string, scenario: string, mode: string, seed: number): string {
  const stamp = new Date().toISOString().replace(/:/g, '-').replace('.', '-');
  const base = join(root, scenario, `${stamp}-${mode}-seed${seed}`);
  let dir = base;
  for (let i = 2; existsSync(dir); i++) dir = `${base}-${i}`;
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Point `root/<scenario>/latest` at `dir` (replaced in one step). */
export function linkLatest(root: string, scenario: string, dir: string): void {
  const link = join(root, scenario, 'latest');
  const tmp = `${link}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  try {
    symlinkSync(dir.slice(join(root, scenario).length + 1), tmp);
    renameSync(tmp, link);
  } catch {
    // Where links cannot be made the folder is still there; `latest` is a convenience.
    rmSync(tmp, { force: true });
  }
}

/** Write lines to a file in batches (a large run's events or trace does not become one string). */
function writeLines<T>(path: string, items: Iterable<T>, line: (x: T) => string = (x) => JSON.stringify(x)): void {
  const fd = openSync(path, 'w');
  try {
    let batch = '';
    for (const item of items) {
      batch += line(item) + '\n';
      if (batch.length > 1 << 20) {
        writeSync(fd, batch);
        batch = '';
      }
    }
    if (batch) writeSync(fd, batch);
  } finally {
    closeSync(fd);
  }
}

export function writeArtifacts(dir: string, sc: Scenario, result: RunResult, output: ModeOutput | undefined): void {
  const doc = {
    scenario: { name: sc.name, description: sc.description, file: sc.file, tags: sc.tags },
    mode: result.mode,
    seed: result.seed,
    verdict: result.verdict,
    checks: result.checks,
    figures: result.figures,
    ...(result.harness ? { harness: result.harness } : {}),
    reproduce: result.reproduce,
    trace: output ? { datagrams: output.record.sim?.datagrams ?? output.trace.length, written: output.trace.length, ...(output.traceNote ? { note: output.traceNote } : {}) } : undefined,
    clients: output?.record.clients,
    spoofed: output?.record.spoofed,
    streamsPerServer: output?.record.streamsPerServer,
    serversDown: output?.record.serversDown,
    crashed: output?.record.crashed,
    spec: sc,
  };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(doc, null, 2) + '\n');
  writeFileSync(join(dir, 'summary.md'), summaryMarkdown(sc, result, output));
  if (!output) return;
  writeLines(join(dir, 'events.ndjson'), output.record.events);
  writeLines(join(dir, 'trace.ndjson'), output.trace);
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const names = Object.keys(output.logs).sort();
  if (names.length <= MAX_LOG_FILES) {
    for (const n of names) writeLines(join(logs, `${n.replace(/[^A-Za-z0-9._-]/g, '_')}.log`), output.logs[n]!, (l: string) => l);
  } else {
    // Thousands of nodes: one log, each line led by its node, in node order.
    writeLines(join(logs, 'all.log'), (function* () {
      for (const n of names) for (const l of output.logs[n]!) yield `${n} ${l}`;
    })(), (l: string) => l);
  }
}
