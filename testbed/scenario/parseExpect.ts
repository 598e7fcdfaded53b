/**
 * The `expect` section: what must hold at the end of the run. Each key
 * becomes one checker (testbed/run/checks.ts).
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { ParseContext } from './context.js';
import type { Expectations, SourcePos } from './types.js';
import { parseCount, parseDuration, parsePositive } from './units.js';

export const EXPECTATION_KEYS = ['copies-identical', 'clients-fail', 'handoffs', 'max-gap', 'load-spread', 'load-even', 'redirect-p99', 'no-crash', 'amplification', 'servers-down', 'served-by', 'answered-by', 'answers-spread', 'takeover', 'supervisor-changes', 'assignments-shared', 'view-agrees', 'jobs-complete', 'job-switches', 'job-repairs', 'job-blocks-rejected', 'stream-rate'] as const;

export function parseExpect(ctx: ParseContext, node: Node | null | undefined, attackers: number): Expectations {
  const r = ctx.r;
  if (node === undefined) {
    r.problem(r.root, 'a scenario needs `expect`: what must hold at the end (copies-identical, handoffs, no-crash, …)');
    return {};
  }
  const e = r.map(node, 'expect', EXPECTATION_KEYS);
  if (!e) return {};
  if (e.size === 0) r.problem(node, 'expect: give at least one expectation');
  const pos: Record<string, SourcePos> = {};
  for (const [k, v] of e) pos[k] = r.pos(v.key);
  const out: { -readonly [K in keyof Expectations]: Expectations[K] } = { pos };
  const value = (k: string) => e.get(k)!.value;

  if (e.has('copies-identical')) {
    const b = r.bool(value('copies-identical'), 'copies-identical');
    if (b !== undefined) out.copiesIdentical = b;
  }
  if (e.has('no-crash')) {
    const b = r.bool(value('no-crash'), 'no-crash');
    if (b !== undefined) out.noCrash = b;
  }
  if (e.has('clients-fail')) out.clientsFail = clientsFail(ctx, value('clients-fail'));
  if (e.has('handoffs')) {
    const range = countRange(ctx, value('handoffs'), 'handoffs');
    if (range) out.handoffs = range;
  }
  const jobs = ctx.names.ofKind('provider').length;
  for (const k of ['jobs-complete', 'job-switches', 'job-repairs', 'job-blocks-rejected'] as const) {
    if (e.has(k) && jobs === 0) r.problem(e.get(k)!.key, `${k}: the scenario has no jobs (add one under \`jobs\`)`);
  }
  if (e.has('jobs-complete')) {
    const b = r.bool(value('jobs-complete'), 'jobs-complete');
    if (b !== undefined) out.jobsComplete = b;
  }
  if (e.has('job-switches')) {
    const range = countRange(ctx, value('job-switches'), 'job-switches');
    if (range) out.jobSwitches = range;
  }
  if (e.has('job-repairs')) {
    const range = countRange(ctx, value('job-repairs'), 'job-repairs');
    if (range) out.jobRepairs = range;
  }
  if (e.has('job-blocks-rejected')) {
    const range = countRange(ctx, value('job-blocks-rejected'), 'job-blocks-rejected');
    if (range) out.jobBlocksRejected = range;
  }
  if (e.has('stream-rate')) {
    const m = r.map(value('stream-rate'), 'stream-rate', ['min'], ['min']);
    const min = m?.has('min') ? r.unit(m.get('min')!.value, 'stream-rate min', parsePositive) : undefined;
    if (min !== undefined && min > 1) r.problem(m!.get('min')!.value, 'stream-rate min: a share of the nominal rate, at most 1');
    else if (min !== undefined) out.streamRate = { min };
  }
  if (e.has('max-gap')) out.maxGap = r.unit(value('max-gap'), 'max-gap', parseDuration);
  if (e.has('redirect-p99')) {
    // One limit for both modes, or one per mode: real processes on a shared machine wait for a cpu.
    const v = value('redirect-p99');
    if (isMap(v)) {
      const m = r.map(v, 'redirect-p99', ['sim', 'real']);
      const sim = m?.has('sim') ? r.unit(m.get('sim')!.value, 'redirect-p99 sim', parseDuration) : undefined;
      const real = m?.has('real') ? r.unit(m.get('real')!.value, 'redirect-p99 real', parseDuration) : undefined;
      if (m && m.size === 0) r.problem(v, 'redirect-p99: give sim, real or both');
      out.redirectP99 = { ...(sim !== undefined ? { sim } : {}), ...(real !== undefined ? { real } : {}) };
    } else {
      const limit = r.unit(v, 'redirect-p99 (a duration, or {sim, real})', parseDuration);
      if (limit !== undefined) out.redirectP99 = { sim: limit, real: limit };
    }
  }
  if (e.has('load-spread')) {
    const m = r.map(value('load-spread'), 'load-spread', ['max-ratio'], ['max-ratio']);
    const ratio = m?.has('max-ratio') ? r.unit(m.get('max-ratio')!.value, 'load-spread max-ratio', parsePositive) : undefined;
    if (ratio !== undefined) {
      if (ratio < 1) r.problem(m!.get('max-ratio')!.value, 'load-spread max-ratio: the busiest over the least busy is at least 1');
      out.loadSpread = { maxRatio: ratio };
    }
  }
  if (e.has('load-even')) {
    const diff = r.unit(value('load-even'), 'load-even (the most streams two servers may differ by)', (v) => parseCount(v, 0, 1_000_000));
    if (diff !== undefined) out.loadEven = diff;
  }
  if (e.has('amplification')) {
    const m = r.map(value('amplification'), 'amplification', ['max'], ['max']);
    const max = m?.has('max') ? r.unit(m.get('max')!.value, 'amplification max', parsePositive) : undefined;
    if (max !== undefined) out.amplification = { max };
    if (attackers === 0) r.problem(e.get('amplification')!.key, 'amplification: the scenario has no attackers (add one under `attackers`)');
  }
  if (e.has('servers-down')) {
    const names = ctx.resolve(value('servers-down'), 'servers-down', { kinds: ['server'] });
    if (names) out.serversDown = names;
  }
  if (e.has('served-by')) out.servedBy = onlyBy(ctx, value('served-by'), 'served-by', 'servers');
  if (e.has('answered-by')) out.answeredBy = onlyBy(ctx, value('answered-by'), 'answered-by', 'masters');
  if (e.has('answers-spread')) {
    const m = r.map(value('answers-spread'), 'answers-spread', ['clients', 'masters', 'max'], ['max']);
    const clients = m?.has('clients') ? ctx.resolve(m.get('clients')!.value, 'answers-spread clients', { kinds: ['client'] }) : ctx.names.ofKind('client');
    const masters = m?.has('masters') ? ctx.resolve(m.get('masters')!.value, 'answers-spread masters', { kinds: ['master'] }) : ctx.names.ofKind('master');
    const max = m?.has('max') ? r.unit(m.get('max')!.value, 'answers-spread max', (x) => parseCount(x, 0, 1e9)) : undefined;
    if (masters && masters.length < 2) r.problem(value('answers-spread'), 'answers-spread: a spread needs at least two masters');
    if (clients && masters && max !== undefined) out.answersSpread = { clients, masters, max };
  }
  if (e.has('takeover')) out.takeover = r.unit(value('takeover'), 'takeover', parseDuration);
  if (e.has('supervisor-changes')) out.supervisorChanges = r.unit(value('supervisor-changes'), 'supervisor-changes', (v) => parseCount(v, 0, 1_000_000));
  if (e.has('view-agrees')) {
    out.viewAgrees = r.unit(value('view-agrees'), 'view-agrees', parseDuration);
    if (ctx.names.ofKind('server').length < 2) r.problem(e.get('view-agrees')!.key, 'view-agrees: the scenario needs two servers or more');
  }
  if (e.has('assignments-shared')) {
    out.assignmentsShared = r.unit(value('assignments-shared'), 'assignments-shared', parseDuration);
    if (ctx.names.ofKind('master').length < 2) r.problem(e.get('assignments-shared')!.key, 'assignments-shared: the scenario needs a group of two masters or more');
  }
  return out;
}

/** A count, or `{min, max}` (either or both). */
function countRange(ctx: ParseContext, v: Node | null, what: string): { min?: number; max?: number } | undefined {
  const r = ctx.r;
  if (isMap(v)) {
    const h = r.map(v, what, ['min', 'max']);
    const min = h?.has('min') ? r.unit(h.get('min')!.value, `${what} min`, (x) => parseCount(x, 0, 1e9)) : undefined;
    const max = h?.has('max') ? r.unit(h.get('max')!.value, `${what} max`, (x) => parseCount(x, 0, 1e9)) : undefined;
    if (h && h.size === 0) r.problem(v, `${what}: give min, max or both`);
    if (min !== undefined && max !== undefined && min > max) r.problem(v, `${what}: min ${min} is more than max ${max}`);
    return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
  }
  const n = r.unit(v, `${what} (a number, or {min, max})`, (x) => parseCount(x, 0, 1e9));
  return n === undefined ? undefined : { min: n, max: n };
}

/**
 * `[{clients: [a, b], servers: [s1]}]` (`served-by`: those clients were served only by those servers)
 * or `[{clients: [a], masters: [m-1]}]` (`answered-by`: answered only by those masters).
 */
function onlyBy<K extends 'servers' | 'masters'>(ctx: ParseContext, node: Node | null, key: 'served-by' | 'answered-by', nodes: K): ({ clients: string[] } & Record<K, string[]>)[] {
  const r = ctx.r;
  const kind = nodes === 'servers' ? 'server' : 'master';
  const out: ({ clients: string[] } & Record<K, string[]>)[] = [];
  for (const item of r.list(node, key) ?? []) {
    const m = r.map(item, `${key} item`, ['clients', nodes], ['clients', nodes]);
    if (!m) continue;
    const clients = ctx.resolve(m.get('clients')!.value, `${key} clients`, { kinds: ['client'] });
    const by = ctx.resolve(m.get(nodes)!.value, `${key} ${nodes}`, { kinds: [kind] });
    if (clients && by) out.push({ clients, [nodes]: by } as { clients: string[] } & Record<K, string[]>);
  }
  return out;
}

/** `[a, b]` (any failure), or `[{client: a, code: not-found}]`. */
function clientsFail(ctx: ParseContext, node: Node | null): { client: string; code?: string }[] | undefined {
  const r = ctx.r;
  const out: { client: string; code?: string }[] = [];
  if (isScalar(node)) {
    for (const client of ctx.resolve(node, 'clients-fail', { kinds: ['client'] }) ?? []) out.push({ client });
    return out;
  }
  if (!isSeq(node)) return r.problem(node, 'clients-fail must be a list of client names, or of {client, code}');
  for (const item of node.items as Node[]) {
    if (isMap(item)) {
      const m = r.map(item, 'clients-fail item', ['client', 'code'], ['client']);
      if (!m) continue;
      const code = m.has('code') ? r.str(m.get('code')!.value, 'clients-fail code', /^[a-z][a-z-]{1,31}$/, 'is not an error code (like not-found)') : undefined;
      for (const client of ctx.resolve(m.get('client')!.value, 'clients-fail client', { kinds: ['client'] }) ?? []) out.push({ client, ...(code ? { code } : {}) });
    } else {
      for (const client of ctx.resolve(item, 'clients-fail', { kinds: ['client'] }) ?? []) out.push({ client });
    }
  }
  return out;
}
