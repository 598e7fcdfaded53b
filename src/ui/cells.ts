/**
 * Terminal cells a character takes: 2 for East Asian wide characters and most emoji, 0 for
 * combining marks and control codes, 1 otherwise. Approximate on purpose (no tables): enough to
 * keep a line from overflowing the terminal, which would wrap it and push the frame off screen.
 */
export function cellWidth(codePoint: number): number {
  if (codePoint < 0x300) return codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0) ? 0 : 1;
  if (codePoint <= 0x36f || (codePoint >= 0x200b && codePoint <= 0x200f) || (codePoint >= 0xfe00 && codePoint <= 0xfe0f)) return 0;
  if (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1faff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  ) return 2;
  return 1;
}

/** Cells `text` takes. */
export function cellsOf(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) n += 1;
    else {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) i++;
      n += cellWidth(cp);
    }
  }
  return n;
}

/** The longest start of `text` that fits in `cells` cells, and the cells it takes. */
export function takeCells(text: string, cells: number): { text: string; cells: number } {
  let n = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let w: number;
    let step = 1;
    if (c >= 0x20 && c < 0x7f) w = 1;
    else {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) step = 2;
      w = cellWidth(cp);
    }
    if (n + w > cells) break;
    n += w;
    i += step;
  }
  return { text: i === text.length ? text : text.slice(0, i), cells: n };
}
