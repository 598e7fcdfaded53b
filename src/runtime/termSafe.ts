/**
 * Text from the network (file names, group names, server names, messages)
 * reaches a terminal only escaped: a control character (C0, DEL, C1) or a
 * bidirectional override in it is written as `\xHH` or `\u{HHHH}`, so no peer
 * can set the window title, clear the screen or reorder what is shown, as git
 * and kubectl do with the names they print. JSON output needs none of this:
 * JSON.stringify escapes what it must, and programs read the real text.
 */

// C0 controls, DEL and C1 controls; the Unicode bidirectional embeddings, overrides and isolates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** `s` with every control character escaped. */
export function termSafe(s: string): string {
  return s.replace(UNSAFE, escape);
}

/** The same for text of several lines: line breaks stay. */
export function termSafeLines(s: string): string {
  return s.replace(UNSAFE_BUT_NEWLINE, escape);
}

/** Every string in `v`, at any depth, made safe (for a view that shows what came from the network). */
export function termSafeDeep<T>(v: T): T {
  if (typeof v === 'string') return termSafe(v) as T;
  if (Array.isArray(v)) return v.map((x) => termSafeDeep(x)) as T;
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = termSafeDeep(x);
    return out as T;
  }
  return v;
}
