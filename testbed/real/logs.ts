/**
 * Each node's log of a real run, for people: per process it ran as, the
 * command line, the pid and how it ended, its events one per line (time since
 * the start of the run, type, fields) and what it wrote on stderr. Bounded:
 * past LOG_CAP characters a node's log says how much was left out.
 */
import type { RoleProcess } from './processes.js';
import { withNames } from './record.js';

export const LOG_CAP = 1024 * 1024;

function fields(data: Record<string, unknown>): string {
  return Object.entries(data)
    .map(([k, v]) => `${k}=${typeof v === 'string' && /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v)}`)
    .join(' ');
}

function bounded(lines: readonly string[]): string {
  let out = '';
  for (const [i, line] of lines.entries()) {
    if (out.length + line.length + 1 > LOG_CAP) {
      const left = lines.slice(i).reduce((n, l) => n + l.length + 1, 0);
      return `${out}… ${lines.length - i} more lines (${left} characters) left out\n`;
    }
    out += line + '\n';
  }
  return out;
}

export function nodeLogs(processes: readonly RoleProcess[], t0: number, names: ReadonlyMap<string, string>, extra: Readonly<Record<string, readonly string[]>>): Record<string, string> {
  const lines = new Map<string, string[]>();
  const add = (node: string, l: string) => {
    let list = lines.get(node);
    if (!list) lines.set(node, (list = []));
    list.push(l);
  };
  for (const rp of processes) {
    const exit = rp.child.exit;
    add(rp.node, `# ofp ${rp.args.join(' ')}`);
    add(rp.node, `# pid ${rp.child.pid ?? '?'}; ${exit ? `exited (code ${exit.code}, signal ${exit.signal})` : 'still running'}${rp.stopping ? `; ${rp.stopping}` : ''}`);
    for (const e of rp.child.events) {
      add(rp.node, `${((e.t - t0) / 1000).toFixed(3).padStart(9)} s  ${e.event} ${fields(withNames(e.data, names) as Record<string, unknown>)}`.trimEnd());
    }
    for (const l of rp.child.lines) add(rp.node, `stdout: ${l}`);
    const stderr = rp.child.stderr.trim();
    if (stderr) for (const l of stderr.split('\n')) add(rp.node, `stderr: ${l}`);
  }
  for (const [node, list] of Object.entries(extra)) for (const l of list) add(node, l);
  return Object.fromEntries([...lines].map(([node, list]) => [node, bounded(list)]));
}
