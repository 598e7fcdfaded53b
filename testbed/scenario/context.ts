/**
 * What the parts of the scenario parser share: the reader (positions and
 * problems), the declared nodes and media, and name resolution with good
 * messages.
 */
import { isScalar, type Node } from 'yaml';
import { LINK_PRESETS } from './linkPresets.js';
import { NameTable } from './names.js';
import type { LinkSpec, MediaSpec, RoleKind, SourcePos } from './types.js';
import { parseDuration, parseProbability, parseRate, type Parsed } from './units.js';
import { nearest } from '../../src/text/nearest.js';
import { type Entries, type YamlReader } from './yamlReader.js';

export class ParseContext {
  readonly names = new NameTable();
  readonly media = new Map<string, MediaSpec>();
  /** A counted media item's base name → its items. */
  readonly mediaGroups = new Map<string, string[]>();
  /** Media items declared with a problem (already reported): naming them is no second problem. */
  readonly invalidMedia = new Set<string>();
  /** Where each node was declared. */
  readonly nodePos = new Map<string, SourcePos>();

  constructor(
    readonly r: YamlReader,
    /** Multiplies every `count` and the scenario's times (a reduced or enlarged copy). */
    readonly scale: number,
  ) {}

  /**
   * The nodes the names at `node` stand for (`A`, `[A, edge]`, `*`, `servers`).
   * `kinds`: the kinds allowed; `star`: keep `*` as is (it also means nodes
   * that come and go) instead of expanding it.
   */
  resolve(node: Node | null, what: string, o: { kinds?: readonly RoleKind[]; star?: boolean; extra?: boolean } = {}): string[] | undefined {
    const words = this.r.words(node, what);
    if (!words) return undefined;
    const out: string[] = [];
    let okAll = true;
    for (const { word, node: at } of words) {
      const names = (o.extra && this.names.extra.has(word) ? [word] : undefined) ?? this.names.expand(word, o.star ?? false);
      if (!names) {
        const near = nearest(word, this.names.words());
        this.r.problem(at, `${what}: no node is named ${JSON.stringify(word)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}`);
        okAll = false;
        continue;
      }
      if (o.kinds) {
        const wrong = names.filter((n) => n !== '*' && !o.kinds!.includes(this.names.kinds.get(n)!));
        if (wrong.length > 0) {
          this.r.problem(at, `${what}: ${JSON.stringify(wrong[0])} is a ${this.names.kinds.get(wrong[0]!) ?? 'victim address'}, not a ${o.kinds.join(' or ')}`);
          okAll = false;
          continue;
        }
      }
      for (const n of names) if (!out.includes(n)) out.push(n);
    }
    return okAll ? out : undefined;
  }

  /** A time in the run (`at`, `start`): a duration, scaled with the scenario. */
  time(node: Node | null, what: string): number | undefined {
    const ms = this.r.unit(node, what, parseDuration);
    return ms === undefined ? undefined : ms * this.scale;
  }
}

export const LINK_KEYS = ['preset', 'loss', 'burst', 'delay', 'jitter', 'duplicate', 'reorder', 'corrupt', 'rate', 'blocked'] as const;

const burstParser = (v: unknown): Parsed<number> =>
  typeof v === 'number' && Number.isFinite(v) && v >= 1 && v <= 1000 ? { ok: true, value: v } : { ok: false, why: `${JSON.stringify(v)} is not a mean burst length: write a number of datagrams from 1 (independent losses) to 1000` };

/** The link settings of a map's entries: the preset's (when one is named) overridden by the fields given. */
export function linkFields(ctx: ParseContext, e: Entries, what: string): Partial<LinkSpec> | undefined {
  const r = ctx.r;
  let out: Partial<LinkSpec> = {};
  const preset = e.get('preset');
  if (preset) {
    const name = r.oneOf(preset.value, `${what} preset`, Object.keys(LINK_PRESETS));
    if (name === undefined) return undefined;
    out = { ...LINK_PRESETS[name]!.link };
  }
  const before = r.problems.length;
  const get = <T>(key: string, parse: (v: unknown) => Parsed<T>): T | undefined => {
    const entry = e.get(key);
    return entry ? r.unit(entry.value, `${what} ${key}`, parse) : undefined;
  };
  const set = <K extends keyof LinkSpec>(k: K, v: LinkSpec[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('loss', get('loss', parseProbability));
  set('burst', get('burst', burstParser));
  set('delay', get('delay', parseDuration));
  set('jitter', get('jitter', parseDuration));
  set('duplicate', get('duplicate', parseProbability));
  set('reorder', get('reorder', parseProbability));
  set('corrupt', get('corrupt', parseProbability));
  const rate = e.get('rate');
  if (rate) set('rate', r.scalar(rate.value, `${what} rate`) === 0 ? 0 : r.unit(rate.value, `${what} rate`, parseRate));
  const blocked = e.get('blocked');
  if (blocked) set('blocked', r.bool(blocked.value, `${what} blocked`));
  return r.problems.length > before ? undefined : out;
}

/** The scenario's default link: a preset name, or a map of a preset and fields over it (`lan` when none is named). */
export function defaultLink(ctx: ParseContext, node: Node | null): LinkSpec | undefined {
  const r = ctx.r;
  if (node === null) return LINK_PRESETS.lan!.link;
  if (isScalar(node)) {
    const name = r.oneOf(node, 'link', Object.keys(LINK_PRESETS));
    return name === undefined ? undefined : LINK_PRESETS[name]!.link;
  }
  const e = r.map(node, 'link', LINK_KEYS);
  if (!e) return undefined;
  const fields = linkFields(ctx, e, 'link');
  if (!fields) return undefined;
  return { ...(e.has('preset') ? {} : LINK_PRESETS.lan!.link), ...fields } as LinkSpec;
}
