/**
 * A scenario's media items as servers hold them: sizes from duration × rate,
 * computed exactly as `ofp media make` does (floor of duration s × rate / 8),
 * and a flow's file named ITEM.FLOW, as `ofp media make --flows` names it, so
 * both modes stream the same bytes.
 */
import type { MediaFile } from '../../src/roles/server/server.js';
import type { MediaSpec } from './types.js';

/** Bytes of `durationMs` of media at `rate` bit/s. */
export function mediaSize(durationMs: number, rate: number): number {
  return Math.floor(((durationMs / 1000) * rate) / 8);
}

export function mediaFile(spec: MediaSpec): MediaFile {
  if (!spec.flows) return { name: spec.name, size: mediaSize(spec.duration, spec.bitrate), rate: spec.bitrate };
  const flows = spec.flows.map((f) => ({ name: `${spec.name}.${f.name}`, size: mediaSize(spec.duration, f.bitrate), rate: f.bitrate }));
  return { name: spec.name, size: flows.reduce((n, f) => n + f.size, 0), rate: flows.reduce((n, f) => n + f.rate, 0), flows };
}

/** The files a client writes for an item: one per flow, flow 0 first. */
export function flowFiles(file: MediaFile): { readonly name: string; readonly size: number }[] {
  return file.flows && file.flows.length > 0 ? file.flows.map((f) => ({ name: f.name, size: f.size })) : [{ name: file.name, size: file.size }];
}
