/**
 * The topology and workload of a scenario file: media items, masters,
 * servers, clients and attackers, `count: N` expanded into `name-1 … name-N`.
 */
import { isMap, type Node } from 'yaml';
import type { ParseContext } from './context.js';
import { NAME_PATTERN, NAME_SHAPE } from './names.js';
import type { AttackerSpec, BaseSpec, ClientSpec, JobSpec, MasterSpec, MediaSpec, PortalSpec, ServerSpec } from './types.js';
import { parseCount, parseDuration, parsePositive, parseRate, parseScale } from './units.js';
import { nearest } from '../../src/text/nearest.js';
import { JOB_DEFAULT_RATE, JOB_FANOUT, MIN_POLL_INTERVAL } from '../../src/protocol/constants.js';
import { POLICIES } from '../../src/roles/master/selection.js';
import { PORTAL_POLICIES } from '../../src/roles/portal/policies.js';

export const MEDIA_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const FLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const MAX_COUNT = 100_000;

/** `count: N` (scaled, at least 1) and the names it gives: `base` alone, or `base-1 … base-N`. */
function expandNames(ctx: ParseContext, base: string, countNode: Node | null | undefined, baseNode: Node, kind: 'master' | 'portal' | 'server' | 'client' | 'attacker' | 'base' | 'provider', scaled = true): string[] | undefined {
  const r = ctx.r;
  if (countNode === undefined) {
    const why = ctx.names.declare(base, kind);
    if (why) return r.problem(baseNode, why);
    ctx.nodePos.set(base, r.pos(baseNode));
    return [base];
  }
  const n = r.unit(countNode, 'count', (v) => parseCount(v, 1, MAX_COUNT));
  if (n === undefined) return undefined;
  const count = scaled ? Math.max(1, Math.round(n * ctx.scale)) : n;
  const names = Array.from({ length: count }, (_, i) => `${base}-${i + 1}`);
  const why = ctx.names.declareGroup(base, names);
  if (why) return r.problem(baseNode, why);
  for (const name of names) {
    const clash = ctx.names.declare(name, kind);
    if (clash) return r.problem(baseNode, `count expands ${base} into ${names[0]}…${names.at(-1)}, and ${clash}`);
    ctx.nodePos.set(name, r.pos(baseNode));
  }
  return names;
}

export function parseMedia(ctx: ParseContext, node: Node | null): MediaSpec[] {
  const r = ctx.r;
  const items = r.list(node, 'media');
  const out: MediaSpec[] = [];
  if (!items) return out;
  if (items.length === 0) r.problem(node, 'media: give at least one media item');
  for (const item of items) {
    const e = r.map(item, 'a media item', ['name', 'count', 'duration', 'bitrate', 'flows'], ['name', 'duration']);
    if (!e) continue;
    const name = r.str(e.get('name')!.value, 'media name', MEDIA_NAME, 'must be a file name: letters, digits, `.`, `_` or `-`');
    const duration = r.unit(e.get('duration')!.value, 'media duration', parseDuration);
    const before = r.problems.length;
    if (name !== undefined && (duration === undefined || duration <= 0)) ctx.invalidMedia.add(name);
    if (name === undefined || duration === undefined) continue;
    if (duration <= 0) {
      r.problem(e.get('duration')!.value, 'media duration must be more than 0');
      continue;
    }
    const bitrateNode = e.get('bitrate');
    const flowsNode = e.get('flows');
    if ((bitrateNode === undefined) === (flowsNode === undefined)) {
      r.problem(item, `media ${name}: give either \`bitrate\` (one flow) or \`flows\` (several, each with its rate), not ${bitrateNode ? 'both' : 'neither'}`);
      ctx.invalidMedia.add(name);
      continue;
    }
    let spec: MediaSpec | undefined;
    if (bitrateNode) {
      const bitrate = r.unit(bitrateNode.value, `media ${name} bitrate`, parseRate);
      if (bitrate !== undefined) spec = { name, duration, bitrate };
    } else {
      const flows = parseFlows(ctx, flowsNode!.value, name);
      if (flows) spec = { name, duration, bitrate: flows.reduce((n, f) => n + f.bitrate, 0), flows };
    }
    if (!spec || r.problems.length > before) {
      ctx.invalidMedia.add(name);
      continue;
    }
    const countNode = e.get('count')?.value;
    const names = countNode === undefined ? [name] : (() => {
      const n = r.unit(countNode, 'count', (v) => parseCount(v, 1, 10_000));
      return n === undefined ? undefined : Array.from({ length: n }, (_, i) => `${name}-${i + 1}`);
    })();
    if (!names) continue;
    if (countNode !== undefined) {
      if (ctx.media.has(name) || ctx.mediaGroups.has(name)) r.problem(e.get('name')!.value, `media ${name} is declared twice`);
      ctx.mediaGroups.set(name, names);
    }
    for (const n of names) {
      if (ctx.media.has(n)) {
        r.problem(e.get('name')!.value, `media ${n} is declared twice`);
        continue;
      }
      const one = { ...spec, name: n };
      ctx.media.set(n, one);
      out.push(one);
    }
  }
  return out;
}

/** `flows: {video: 4M, audio: 128k}` or `flows: [{name: video, bitrate: 4M}, …]`. */
function parseFlows(ctx: ParseContext, node: Node | null, item: string): { name: string; bitrate: number }[] | undefined {
  const r = ctx.r;
  const out: { name: string; bitrate: number }[] = [];
  const add = (nameNode: Node | null, rateNode: Node | null) => {
    const name = r.str(nameNode, `media ${item} flow name`, FLOW_NAME, 'must be letters, digits, `_` or `-`');
    const bitrate = r.unit(rateNode, `media ${item} flow rate`, parseRate);
    if (name === undefined || bitrate === undefined) return;
    if (out.some((f) => f.name === name)) r.problem(nameNode, `media ${item}: flow ${name} is named twice`);
    else out.push({ name, bitrate });
  };
  const before = r.problems.length;
  if (isMap(node)) {
    // A map: flow name → rate.
    for (const p of node.items) add(p.key as Node, (p.value as Node | null) ?? null);
  } else {
    const list = r.list(node, `media ${item} flows`);
    for (const f of list ?? []) {
      const e = r.map(f, `a flow of ${item}`, ['name', 'bitrate'], ['name', 'bitrate']);
      if (e) add(e.get('name')!.value, e.get('bitrate')!.value);
    }
  }
  if (r.problems.length > before) return undefined;
  if (out.length < 2 || out.length > 4) return r.problem(node, `media ${item}: give from 2 to 4 flows (one flow: use \`bitrate\`)`);
  return out;
}

export function parseMasters(ctx: ParseContext, node: Node | null | undefined): MasterSpec[] {
  const r = ctx.r;
  if (node === undefined) {
    ctx.names.declare('master', 'master');
    return [{ name: 'master', policy: 'greatest-available-bandwidth', mode: 'redirect', pollInterval: 1000, peers: [] }];
  }
  const out: MasterSpec[] = [];
  /** The masters of entries with `group: true`: one group (§12.1). */
  const grouped: string[] = [];
  const items = r.list(node, 'masters') ?? [];
  if (items.length === 0 && node) r.problem(node, 'masters: give at least one master (or leave `masters` out for one named `master`)');
  for (const item of items) {
    const e = r.map(item, 'a master', ['name', 'count', 'policy', 'mode', 'poll-interval', 'group'], ['name']);
    if (!e) continue;
    const nameNode = e.get('name')!.value;
    const base = r.str(nameNode, 'master name', NAME_PATTERN, NAME_SHAPE);
    if (base === undefined) continue;
    // A group of masters is its own topology: --scale leaves its size alone.
    const names = expandNames(ctx, base, e.get('count')?.value, nameNode!, 'master', false);
    if (!names) continue;
    const group = e.has('group') ? r.bool(e.get('group')!.value, `master ${base} group`) : false;
    if (group) grouped.push(...names);
    const policy = e.has('policy') ? r.oneOf(e.get('policy')!.value, `master ${base} policy`, POLICIES) : 'greatest-available-bandwidth';
    const mode = e.has('mode') ? r.oneOf(e.get('mode')!.value, `master ${base} mode`, ['redirect', 'relay'] as const) : 'redirect';
    const pollInterval = e.has('poll-interval') ? r.unit(e.get('poll-interval')!.value, `master ${base} poll-interval`, parseDuration) : 1000;
    if (pollInterval !== undefined && pollInterval < MIN_POLL_INTERVAL) r.problem(e.get('poll-interval')!.value, `master ${base} poll-interval: at least ${MIN_POLL_INTERVAL}ms (MIN_POLL_INTERVAL)`);
    if (policy && mode && pollInterval !== undefined) for (const name of names) out.push({ name, policy, mode, pollInterval, peers: [] });
  }
  if (grouped.length === 1) r.problem(node ?? null, `masters: a group needs at least two masters (only ${grouped[0]} has group: true)`);
  return grouped.length < 2 ? out : out.map((m) => (grouped.includes(m.name) ? { ...m, peers: grouped.filter((g) => g !== m.name) } : m));
}

/** `portals: [{name, policy, mode, poll-interval, masters}]`: by default each in front of every master, round robin, refer. */
export function parsePortals(ctx: ParseContext, node: Node | null | undefined, masters: readonly MasterSpec[]): PortalSpec[] {
  const r = ctx.r;
  const out: PortalSpec[] = [];
  if (node === undefined) return out;
  const items = r.list(node, 'portals') ?? [];
  if (items.length === 0 && node) r.problem(node, 'portals: give at least one portal (or leave `portals` out)');
  for (const item of items) {
    const e = r.map(item, 'a portal', ['name', 'count', 'policy', 'mode', 'poll-interval', 'masters'], ['name']);
    if (!e) continue;
    const nameNode = e.get('name')!.value;
    const base = r.str(nameNode, 'portal name', NAME_PATTERN, NAME_SHAPE);
    if (base === undefined) continue;
    const policy = e.has('policy') ? r.oneOf(e.get('policy')!.value, `portal ${base} policy`, PORTAL_POLICIES) : 'round-robin';
    const mode = e.has('mode') ? r.oneOf(e.get('mode')!.value, `portal ${base} mode`, ['refer', 'forward'] as const) : 'refer';
    const pollInterval = e.has('poll-interval') ? r.unit(e.get('poll-interval')!.value, `portal ${base} poll-interval`, parseDuration) : 250;
    if (pollInterval !== undefined && pollInterval < MIN_POLL_INTERVAL) r.problem(e.get('poll-interval')!.value, `portal ${base} poll-interval: at least ${MIN_POLL_INTERVAL}ms (MIN_POLL_INTERVAL)`);
    const ms = e.has('masters') ? ctx.resolve(e.get('masters')!.value, `portal ${base} masters`, { kinds: ['master'] }) : masters.map((m) => m.name);
    if (ms && ms.length === 0) r.problem(e.get('masters')?.value ?? item, `portal ${base}: give it at least one master`);
    // Portals are part of the topology: --scale leaves their number alone.
    const names = expandNames(ctx, base, e.get('count')?.value, nameNode!, 'portal', false);
    if (!names || !policy || !mode || pollInterval === undefined || !ms || ms.length === 0) continue;
    for (const name of names) out.push({ name, policy, mode, pollInterval, masters: ms });
  }
  return out;
}

export function parseServers(ctx: ParseContext, node: Node | null, masters: readonly MasterSpec[]): ServerSpec[] {
  const r = ctx.r;
  const out: ServerSpec[] = [];
  const items = r.list(node, 'servers') ?? [];
  if (items.length === 0 && node) r.problem(node, 'servers: give at least one server');
  for (const item of items) {
    const e = r.map(item, 'a server', ['name', 'count', 'files', 'capacity', 'group', 'location', 'master', 'masters', 'job-rate'], ['name', 'files']);
    if (!e) continue;
    const nameNode = e.get('name')!.value;
    const base = r.str(nameNode, 'server name', NAME_PATTERN, NAME_SHAPE);
    if (base === undefined) continue;
    const files = mediaNames(ctx, e.get('files')!.value, `server ${base} files`, true);
    const capacity = e.has('capacity') ? r.unit(e.get('capacity')!.value, `server ${base} capacity`, parseRate) : 1_000_000_000;
    const group = e.has('group') ? r.str(e.get('group')!.value, `server ${base} group`, GROUP_NAME, 'must be letters, digits, `.`, `_` or `-`') : 'default';
    const location = e.has('location') ? r.str(e.get('location')!.value, `server ${base} location`, GROUP_NAME, 'must be letters, digits, `.`, `_` or `-` (32 at most)') : undefined;
    const jobRate = e.has('job-rate') ? r.unit(e.get('job-rate')!.value, `server ${base} job-rate`, parseRate) : undefined;
    // By default, the first master and the rest of its group (§12.2): a server registers with each.
    const first = masters[0];
    let ms: readonly string[] | undefined = first ? [first.name, ...first.peers] : undefined;
    if (e.has('master') && e.has('masters')) r.problem(e.get('masters')!.key, `server ${base}: give master (one) or masters (several), not both`);
    if (e.has('master')) {
      const m = ctx.resolve(e.get('master')!.value, `server ${base} master`, { kinds: ['master'] });
      if (m && m.length !== 1) r.problem(e.get('master')!.value, `server ${base} master: name one master (several: masters)`);
      ms = m?.slice(0, 1);
    } else if (e.has('masters')) {
      ms = ctx.resolve(e.get('masters')!.value, `server ${base} masters`, { kinds: ['master'] });
    }
    const names = expandNames(ctx, base, e.get('count')?.value, nameNode!, 'server');
    if (!names || !files || capacity === undefined || group === undefined || !ms || ms.length === 0) continue;
    if (e.has('job-rate') && jobRate === undefined) continue;
    for (const name of names) out.push({ name, files, capacity, group, masters: ms, ...(location !== undefined ? { location } : {}), ...(jobRate !== undefined ? { jobRate } : {}) });
  }
  return out;
}

/** Media names: each a declared item, a counted item's base name (all of them), or `*` (every item). */
export function mediaNames(ctx: ParseContext, node: Node | null, what: string, star: boolean): string[] | undefined {
  const r = ctx.r;
  const words = r.words(node, what);
  if (!words) return undefined;
  const out: string[] = [];
  for (const { word, node: at } of words) {
    const names = word === '*' && star ? [...ctx.media.keys()] : ctx.media.has(word) ? [word] : ctx.mediaGroups.get(word);
    if (!names && ctx.invalidMedia.has(word)) return undefined;
    if (!names) {
      const known = [...ctx.media.keys(), ...ctx.mediaGroups.keys()];
      const near = known.find((k) => k.toLowerCase() === word.toLowerCase()) ?? nearestName(word, known) ?? nearest(word, known);
      r.problem(at, `${what}: there is no media item ${JSON.stringify(word)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}; media items: ${known.slice(0, 8).join(', ')}${known.length > 8 ? ', …' : ''}`);
      return undefined;
    }
    for (const n of names) if (!out.includes(n)) out.push(n);
  }
  return out;
}

function nearestName(word: string, known: readonly string[]): string | undefined {
  return known.find((k) => k.startsWith(word) || word.startsWith(k));
}

const CHOICE = /^(random|fewest-users|group:[A-Za-z0-9][A-Za-z0-9._-]{0,31})$/;

export function parseClients(ctx: ParseContext, node: Node | null | undefined, masters: readonly MasterSpec[], duration: number | undefined): ClientSpec[] {
  const r = ctx.r;
  const out: ClientSpec[] = [];
  if (node === undefined) return out;
  for (const item of r.list(node, 'clients') ?? []) {
    const e = r.map(item, 'a client', ['name', 'count', 'file', 'files', 'start', 'every', 'mode', 'choose', 'masters', 'portal', 'location', 'echo', 'servers', 'schedule']);
    if (!e) continue;
    if (!e.has('name')) {
      r.problem(item, 'a client needs `name`');
      continue;
    }
    const nameNode = e.get('name')!.value;
    const base = r.str(nameNode, 'client name', NAME_PATTERN, NAME_SHAPE);
    if (base === undefined) continue;
    if (e.has('file') === e.has('files')) {
      r.problem(item, `client ${base}: give \`file\` (one media item) or \`files\` (several, taken in turn by the clients of a count), not ${e.has('file') ? 'both' : 'neither'}`);
      continue;
    }
    const files = e.has('file')
      ? mediaNames(ctx, e.get('file')!.value, `client ${base} file`, false)
      : mediaNames(ctx, e.get('files')!.value, `client ${base} files`, true);
    if (e.has('file') && files && files.length > 1) r.problem(e.get('file')!.value, `client ${base} file: names ${files.length} items; use \`files\` to spread them over the clients`);
    const start = e.has('start') ? ctx.time(e.get('start')!.value, `client ${base} start`) : 0;
    const every = e.has('every') ? r.unit(e.get('every')!.value, `client ${base} every`, parseDuration) : 0;
    const mode = e.has('mode') ? r.oneOf(e.get('mode')!.value, `client ${base} mode`, ['redirect', 'relay', 'list'] as const) : undefined;
    const choose = e.has('choose') ? r.str(e.get('choose')!.value, `client ${base} choose`, CHOICE, 'is not a choice: random, fewest-users or group:NAME') : 'random';
    if (e.has('masters') && e.has('portal')) r.problem(e.get('portal')!.key, `client ${base}: give masters (it asks them) or portal (it asks the portal), not both`);
    const portal = e.has('portal');
    const ms = portal ? ctx.resolve(e.get('portal')!.value, `client ${base} portal`, { kinds: ['portal'] })
      : e.has('masters') ? ctx.resolve(e.get('masters')!.value, `client ${base} masters`, { kinds: ['master'] }) : masters.map((m) => m.name);
    const schedule = e.has('schedule') ? parseSchedule(ctx, e.get('schedule')!.value, base) : [];
    const location = e.has('location') ? r.str(e.get('location')!.value, `client ${base} location`, GROUP_NAME, 'must be letters, digits, `.`, `_` or `-` (32 at most)') : undefined;
    const echo = e.has('echo') ? r.bool(e.get('echo')!.value, `client ${base} echo`) : false;
    const servers = e.has('servers') ? ctx.resolve(e.get('servers')!.value, `client ${base} servers`, { kinds: ['server'] }) : undefined;
    if (servers && mode !== 'list') r.problem(e.get('servers')!.key, `client ${base}: servers are asked for the list when no master answers: give mode: list`);
    const names = expandNames(ctx, base, e.get('count')?.value, nameNode!, 'client');
    if (!names || !files || start === undefined || every === undefined || choose === undefined || !ms || !schedule) continue;
    if (e.has('mode') && mode === undefined) continue;
    if (every > 0 && names.length === 1) r.problem(e.get('every')!.value, `client ${base}: \`every\` spaces the starts of a count; there is one client`);
    const last = start + every * (names.length - 1);
    if (duration !== undefined && last > duration) {
      r.problem(e.get(e.has('every') ? 'every' : 'start')!.value, `client ${base}: ${names.length > 1 ? 'the last one starts' : 'it starts'} at ${last} ms, after the fault phase ends (duration ${duration} ms)`);
      continue;
    }
    names.forEach((name, i) => {
      out.push({ name, file: files[i % files.length]!, start: start + every * i, ...(mode ? { mode } : {}), choose, masters: ms, ...(portal ? { portal: true } : {}), ...(location !== undefined ? { location } : {}), ...(echo === true ? { echo } : {}), ...(servers ? { servers } : {}), schedule });
    });
  }
  return out;
}

function parseSchedule(ctx: ParseContext, node: Node | null, client: string): { at: number; scale: number }[] | undefined {
  const r = ctx.r;
  const out: { at: number; scale: number }[] = [];
  const before = r.problems.length;
  for (const item of r.list(node, `client ${client} schedule`) ?? []) {
    const e = r.map(item, `a rate change of client ${client}`, ['at', 'scale'], ['at', 'scale']);
    if (!e) continue;
    const at = r.unit(e.get('at')!.value, `client ${client} schedule at`, parseDuration);
    const scale = r.unit(e.get('scale')!.value, `client ${client} schedule scale`, parseScale);
    if (at === undefined || scale === undefined) continue;
    if (out.length > 0 && at <= out.at(-1)!.at) {
      r.problem(e.get('at')!.value, `client ${client} schedule: times must increase (${at} ms comes after ${out.at(-1)!.at} ms)`);
      continue;
    }
    out.push({ at, scale });
  }
  return r.problems.length > before ? undefined : out;
}

export function parseAttackers(ctx: ParseContext, node: Node | null | undefined, duration: number | undefined): AttackerSpec[] {
  const r = ctx.r;
  const out: AttackerSpec[] = [];
  if (node === undefined) return out;
  const firstMedia = [...ctx.media.keys()][0];
  for (const item of r.list(node, 'attackers') ?? []) {
    const e = r.map(item, 'an attacker', ['name', 'count', 'target', 'spoof', 'kind', 'file', 'rate', 'start', 'stop'], ['name', 'target', 'spoof', 'rate']);
    if (!e) continue;
    const nameNode = e.get('name')!.value;
    const base = r.str(nameNode, 'attacker name', NAME_PATTERN, NAME_SHAPE);
    if (base === undefined) continue;
    const target = ctx.resolve(e.get('target')!.value, `attacker ${base} target`, { kinds: ['master', 'server'] });
    if (target && target.length !== 1) r.problem(e.get('target')!.value, `attacker ${base} target: name one master or server`);
    const spoof = r.str(e.get('spoof')!.value, `attacker ${base} spoof`, NAME_PATTERN, NAME_SHAPE);
    const kind = e.has('kind') ? r.oneOf(e.get('kind')!.value, `attacker ${base} kind`, ['request', 'status', 'garbage'] as const) : 'request';
    const file = e.has('file') ? mediaNames(ctx, e.get('file')!.value, `attacker ${base} file`, false)?.[0] : firstMedia;
    const rate = r.unit(e.get('rate')!.value, `attacker ${base} rate (datagrams per second)`, parsePositive);
    if (rate !== undefined && rate > 100_000) r.problem(e.get('rate')!.value, `attacker ${base} rate: at most 100000 datagrams per second`);
    const start = e.has('start') ? ctx.time(e.get('start')!.value, `attacker ${base} start`) : 0;
    const stop = e.has('stop') ? ctx.time(e.get('stop')!.value, `attacker ${base} stop`) : duration;
    const names = expandNames(ctx, base, e.get('count')?.value, nameNode!, 'attacker');
    if (!names || !target || target.length !== 1 || spoof === undefined || !kind || rate === undefined || start === undefined || stop === undefined || file === undefined) continue;
    if (stop <= start) {
      r.problem(e.get('stop')?.value ?? item, `attacker ${base}: stop (${stop} ms) must come after start (${start} ms)`);
      continue;
    }
    if (duration !== undefined && stop > duration) {
      r.problem(e.get('stop')?.value ?? item, `attacker ${base}: stop (${stop} ms) is after the fault phase ends (duration ${duration} ms)`);
      continue;
    }
    if (spoof === target[0]) r.problem(e.get('spoof')!.value, `attacker ${base}: spoofing the target's own address measures nothing`);
    if (!ctx.names.kinds.has(spoof) && !ctx.names.groups.has(spoof)) ctx.names.extra.add(spoof);
    for (const name of names) out.push({ name, target: target[0]!, spoof, kind, rate, start, stop, ...(kind === 'request' ? { file } : {}) });
  }
  return out;
}

/** `bases: [{name, rate, fanout}]`: base servers (S5, §14); a scenario with jobs needs one. */
export function parseBases(ctx: ParseContext, node: Node | null | undefined): BaseSpec[] {
  const r = ctx.r;
  const out: BaseSpec[] = [];
  if (node === undefined) return out;
  const items = r.list(node, 'bases') ?? [];
  if (items.length === 0 && node) r.problem(node, 'bases: give at least one base server (or leave `bases` out)');
  for (const item of items) {
    const e = r.map(item, 'a base server', ['name', 'rate', 'fanout'], ['name']);
    if (!e) continue;
    const nameNode = e.get('name')!.value;
    const name = r.str(nameNode, 'base server name', NAME_PATTERN, NAME_SHAPE);
    if (name === undefined) continue;
    const rate = e.has('rate') ? r.unit(e.get('rate')!.value, `base ${name} rate`, parseRate) : JOB_DEFAULT_RATE;
    const fanout = e.has('fanout') ? r.unit(e.get('fanout')!.value, `base ${name} fanout`, (v) => parseCount(v, 1, 64)) : JOB_FANOUT;
    if (!expandNames(ctx, name, undefined, nameNode!, 'base') || rate === undefined || fanout === undefined) continue;
    out.push({ name, rate, fanout });
  }
  return out;
}

/**
 * `jobs: [{name, file, to, base, at, rate}]`: distribution jobs (S5.1), each
 * submitted by its own provider node `name` at `at`; `to` the target servers
 * (every server by default), `base` the base server (the first by default).
 */
export function parseJobs(ctx: ParseContext, node: Node | null | undefined, bases: readonly BaseSpec[], servers: readonly ServerSpec[], duration: number | undefined, key: string | undefined): JobSpec[] {
  const r = ctx.r;
  const out: JobSpec[] = [];
  if (node === undefined) return out;
  const items = r.list(node, 'jobs') ?? [];
  if (items.length === 0 && node) r.problem(node, 'jobs: give at least one job (or leave `jobs` out)');
  if (items.length > 0 && bases.length === 0) r.problem(node ?? null, 'jobs: a job is submitted to a base server: declare one under `bases`');
  if (items.length > 0 && key === undefined) r.problem(node ?? null, 'jobs: content moves only within a keyed cluster (§14.7): give the scenario a `key`');
  for (const item of items) {
    const e = r.map(item, 'a job', ['name', 'file', 'to', 'base', 'at', 'rate'], ['name', 'file']);
    if (!e) continue;
    const nameNode = e.get('name')!.value;
    const name = r.str(nameNode, 'job (provider) name', NAME_PATTERN, NAME_SHAPE);
    if (name === undefined) continue;
    const file = mediaNames(ctx, e.get('file')!.value, `job ${name} file`, false);
    if (file && file.length !== 1) r.problem(e.get('file')!.value, `job ${name} file: name one media item`);
    const item1 = file?.length === 1 ? ctx.media.get(file[0]!) : undefined;
    if (item1?.flows) r.problem(e.get('file')!.value, `job ${name} file: ${item1.name} has several flows; a job moves one file`);
    const targets = e.has('to') ? ctx.resolve(e.get('to')!.value, `job ${name} to`, { kinds: ['server'] }) : servers.map((s) => s.name);
    if (targets && targets.length === 0) r.problem(e.get('to')?.value ?? item, `job ${name}: give it at least one target server`);
    const base = e.has('base') ? ctx.resolve(e.get('base')!.value, `job ${name} base`, { kinds: ['base'] }) : bases.slice(0, 1).map((b) => b.name);
    if (base && base.length > 1) r.problem(e.get('base')!.value, `job ${name} base: name one base server`);
    const at = e.has('at') ? ctx.time(e.get('at')!.value, `job ${name} at`) : 0;
    if (at !== undefined && duration !== undefined && at > duration) r.problem(e.get('at')!.value, `job ${name}: it is submitted at ${at} ms, after the fault phase ends (duration ${duration} ms)`);
    const rate = e.has('rate') ? r.unit(e.get('rate')!.value, `job ${name} rate`, parseRate) : undefined;
    if (!expandNames(ctx, name, undefined, nameNode!, 'provider') || !file || file.length !== 1 || item1?.flows || !targets || targets.length === 0 || !base || base.length !== 1 || at === undefined) continue;
    if (e.has('rate') && rate === undefined) continue;
    out.push({ name, file: file[0]!, base: base[0]!, targets, at, ...(rate !== undefined ? { rate } : {}) });
  }
  return out;
}
