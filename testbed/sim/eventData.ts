/**
 * A role event's fields as they go into a run record: JSON-safe (binary as
 * its length and first bytes in hex) and with addresses replaced by the
 * scenario's names, so events read `srv=edge-2` rather than an address.
 */
import type { RoleEvent } from '../../src/roles/role.js';

const HEX_SHOWN = 8;

export function eventData(e: RoleEvent, name: (addr: string) => string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in e) {
    if (k === 'type') continue;
    const v = clean(e[k], name, 0);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function clean(v: unknown, name: (addr: string) => string, depth: number): unknown {
  if (typeof v === 'string') return v.length <= 64 && v.includes(':') ? name(v) : v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Uint8Array) {
    const hex = Buffer.from(v.buffer, v.byteOffset, Math.min(v.length, HEX_SHOWN)).toString('hex');
    return `<${v.length} bytes ${hex}${v.length > HEX_SHOWN ? '…' : ''}>`;
  }
  if (depth > 4) return '…';
  if (Array.isArray(v)) return v.map((x) => clean(x, name, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = clean(x, name, depth + 1);
  return out;
}

/** `12.345 type k=v k=v`: one line of a role's log. */
export function logLine(t: number, type: string, data: Readonly<Record<string, unknown>>, level?: unknown): string {
  const fields = Object.entries(data)
    .filter(([k]) => k !== 'level')
    .map(([k, v]) => `${k}=${typeof v === 'string' && /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v)}`);
  const lv = level === 'warn' || level === 'error' ? `${String(level).toUpperCase()} ` : '';
  return `${(t / 1000).toFixed(3).padStart(9)} ${lv}${type}${fields.length > 0 ? ' ' + fields.join(' ') : ''}`;
}
