/**
 * Row budgets for one frame (pure). The frame must never be taller than the terminal, or the
 * terminal scrolls and its history is lost; so every part gets a number of lines up front and
 * the panes show windows of their lists.
 */
import { PANE_OVERHEAD, PANES, type PaneName } from './panes.js';

export interface FrameLayout {
  /** Header lines (0..2). */
  readonly header: number;
  readonly status: boolean;
  readonly footer: boolean;
  /** Lines for each pane including its title and column header; 0 = not shown. */
  readonly panes: Readonly<Record<PaneName, number>>;
  /** Lines of the masters pane (a group's members, above the others; not focusable); 0 = not shown. */
  readonly masters: number;
  /** Lines of the jobs pane (a base server's jobs, `--base`; not focusable), title included; 0 = not shown. */
  readonly jobs: number;
  /** Lines of the pane area (where help is drawn when open). */
  readonly body: number;
  /** Total lines of the frame. */
  readonly height: number;
}

const WEIGHT: Readonly<Record<PaneName, number>> = { servers: 3, sessions: 4, events: 3 };

/**
 * The frame uses at most `rows - 1` lines: ink redraws a frame as tall as the terminal by clearing
 * the whole screen and its scrollback, which is exactly what must not happen.
 */
export function frameHeight(rows: number): number {
  return Math.max(1, Math.floor(rows) - 1);
}

/** The body needs this many lines before the masters pane gets any: the three panes come first. */
const MASTERS_FROM = 14;

/**
 * `items` is how many rows each pane could show; panes with few items give their lines to
 * the others. When the terminal is too short for all three panes only the focused one is shown.
 * `members`: the rows of the masters pane (a group's masters); it takes at most a third of the body.
 * `jobLines`: the lines of the jobs pane below its title (`--base`); it takes at most a third of the
 * body too, and only what the masters pane leaves room for.
 */
export function frameLayout(rows: number, items: Readonly<Record<PaneName, number>>, focus: PaneName, members = 0, jobLines = 0): FrameLayout {
  const height = frameHeight(rows);
  // Chrome first, shed from the least useful when short: header totals, status, footer, title.
  let left = height;
  const header = left >= 8 ? 2 : left >= 1 ? 1 : 0;
  left -= header;
  const footer = left >= 4;
  if (footer) left -= 1;
  const status = left >= 5;
  if (status) left -= 1;
  const body = left;
  const masters = members > 0 && body >= MASTERS_FROM ? Math.min(2 + members, Math.floor(body / 3)) : 0;
  const jobs = jobLines > 0 && body - masters >= MASTERS_FROM ? Math.min(1 + jobLines, Math.floor(body / 3)) : 0;
  return { header, status, footer, panes: splitPanes(body - masters - jobs, items, focus), masters, jobs, body, height };
}

function splitPanes(lines: number, items: Readonly<Record<PaneName, number>>, focus: PaneName): Record<PaneName, number> {
  const out: Record<PaneName, number> = { servers: 0, sessions: 0, events: 0 };
  const minimum = (p: PaneName) => PANE_OVERHEAD[p] + 1;
  const allMinimum = PANES.reduce((n, p) => n + minimum(p), 0);
  if (lines < allMinimum) {
    out[focus] = lines;
    return out;
  }
  let left = lines;
  for (const p of PANES) {
    out[p] = minimum(p);
    left -= out[p];
  }
  // Hand out the rest a line at a time to the pane furthest below its share that still has rows to show.
  const wants = (p: PaneName) => out[p] < PANE_OVERHEAD[p] + Math.max(1, items[p]);
  while (left > 0) {
    let best: PaneName | undefined;
    for (const p of PANES) {
      if (!wants(p)) continue;
      if (best === undefined || out[p] / WEIGHT[p] < out[best] / WEIGHT[best]) best = p;
    }
    if (best === undefined) break;
    out[best] += 1;
    left -= 1;
  }
  return out;
}

/** How many list rows a pane of `lines` lines shows. */
export function paneRows(pane: PaneName, lines: number): number {
  return Math.max(0, lines - PANE_OVERHEAD[pane]);
}
