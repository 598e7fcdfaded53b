/** summary.md of a run: the verdict, each check, the figures, the clients, and how to run it again. */
import type { ModeOutput, Scenario } from '../scenario/types.js';
import { formatMs } from '../scenario/units.js';
import type { RunResult } from './result.js';

export const MARK = { pass: '✓', fail: '✕', unknown: '?' } as const;

const MAX_CLIENT_ROWS = 50;

export function summaryMarkdown(sc: Scenario, r: RunResult, out: ModeOutput | undefined): string {
  const lines: string[] = [];
  lines.push(`# ${sc.name}: ${MARK[r.verdict]} ${r.verdict}`, '');
  if (sc.description) lines.push(sc.description, '');
  lines.push(`- mode: ${r.mode}`, `- seed: ${r.seed}`, `- reproduce: \`${r.reproduce}\``);
  if (r.harness) lines.push(`- harness failure: ${r.harness}`);
  lines.push('');
  if (r.checks.length > 0) {
    lines.push('## Checks', '', '| | expectation | measured |', '| --- | --- | --- |');
    for (const c of r.checks) lines.push(`| ${MARK[c.verdict]} | ${c.name} | ${c.detail.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  const f = r.figures;
  if (f) {
    lines.push('## Figures', '');
    lines.push(`- protocol time: ${formatMs(f.elapsed)}, wall time: ${formatMs(f.wall)}${f.ratio !== undefined ? ` (${f.ratio}× real time)` : ''}`);
    if (f.events !== undefined) lines.push(`- simulator: ${f.events} events (${f.eventsPerSecond} per second), ${f.datagrams} datagrams, trace hash \`${f.traceHash}\``);
    lines.push(`- clients: ${f.clients} (${f.completed} completed, ${f.failed} failed), ${f.handoffs} handoff(s)`);
    if (f.answerP99 !== undefined) lines.push(`- answers to requests: ${f.answers}, p99 ${f.answerP99} ms`);
    if (f.spoofedSent !== undefined) lines.push(`- spoofed: ${f.spoofedSent} bytes sent by attackers, ${f.reflected} bytes sent to the spoofed addresses`);
    lines.push('');
  }
  if (out) {
    if (out.traceNote) lines.push(`Trace: ${out.traceNote}.`, '');
    const clients = out.record.clients;
    if (clients.length > 0) {
      lines.push('## Clients', '', '| client | file | result | bytes | handoffs | max gap | servers |', '| --- | --- | --- | --- | --- | --- | --- |');
      // Problems first, so a failure is on the first screen.
      const sorted = [...clients].sort((a, b) => Number(a.ok && a.identical !== false) - Number(b.ok && b.identical !== false));
      for (const c of sorted.slice(0, MAX_CLIENT_ROWS)) {
        const result = c.ok ? (c.identical === false ? `✕ ${c.detail ?? 'copy differs'}` : '✓') : `✕ ${c.detail ?? c.code ?? 'failed'}`;
        lines.push(`| ${c.name} | ${c.file} | ${result.replace(/\|/g, '\\|')} | ${c.bytes} | ${c.handoffs} | ${c.maxGap} ms | ${c.servers.join(' → ')} |`);
      }
      if (clients.length > MAX_CLIENT_ROWS) lines.push('', `… and ${clients.length - MAX_CLIENT_ROWS} more (run.json has them all).`);
      lines.push('');
    }
    lines.push('Files: `run.json`, `events.ndjson`, `trace.ndjson`, `logs/`.', '');
  }
  return lines.join('\n');
}
