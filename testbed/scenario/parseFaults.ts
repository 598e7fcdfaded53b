/**
 * Impairments (link settings between sets of nodes, one way or both) and the
 * timed fault schedule, with the checks a schedule must pass: in time order,
 * within the fault phase, and each fault possible when it happens (no resume
 * of a node that is not paused, no drain of a client, …).
 */
import { isSeq, type Node } from 'yaml';
import { LINK_KEYS, linkFields, type ParseContext } from './context.js';
import type { Fault, FaultAction, ImpairmentSpec, RoleKind } from './types.js';
import { parseRate } from './units.js';
import { MESSAGES } from '../../src/protocol/messages.js';
import type { Entries } from './yamlReader.js';

const IMPAIRMENT_KEYS = ['from', 'to', 'both-ways', 'types', ...LINK_KEYS] as const;
const MESSAGE_TYPES = Object.keys(MESSAGES);

/** `types`: message type names, each one the protocol has. */
function messageTypes(ctx: ParseContext, node: Node | null, what: string): string[] | undefined {
  const items = ctx.r.list(node, `${what} types`);
  if (!items) return undefined;
  const out: string[] = [];
  for (const item of items) {
    const t = ctx.r.str(item, `${what} types`);
    if (t === undefined) return undefined;
    if (!MESSAGE_TYPES.includes(t)) return ctx.r.problem(item, `${what} types: ${JSON.stringify(t)} is not a message type (${MESSAGE_TYPES.slice(0, 6).join(', ')}, … in protocol-spec/03-messages.md)`);
    out.push(t);
  }
  if (out.length === 0) return ctx.r.problem(node, `${what} types: name at least one message type, or leave types out for every datagram`);
  return out;
}

/** One impairment map (`from`, `to`, `both-ways`, `types`, link fields): one or two one-way impairments. */
function impairment(ctx: ParseContext, node: Node | null, what: string): ImpairmentSpec[] | undefined {
  const r = ctx.r;
  const e = r.map(node, what, IMPAIRMENT_KEYS);
  if (!e) return undefined;
  const from = e.has('from') ? ctx.resolve(e.get('from')!.value, `${what} from`, { star: true, extra: true }) : ['*'];
  const to = e.has('to') ? ctx.resolve(e.get('to')!.value, `${what} to`, { star: true, extra: true }) : ['*'];
  const both = e.has('both-ways') ? r.bool(e.get('both-ways')!.value, `${what} both-ways`) : false;
  const link = linkFields(ctx, e, what);
  const types = e.has('types') ? messageTypes(ctx, e.get('types')!.value, what) : undefined;
  if (!from || !to || both === undefined || !link || (e.has('types') && !types)) return undefined;
  if (Object.keys(link).length === 0) return r.problem(node, `${what}: say what the link does (${LINK_KEYS.slice(1).join(', ')}, or a preset)`);
  const pos = r.pos(node);
  const only = types ? { types } : {};
  return both && !(from.includes('*') && to.includes('*')) ? [{ from, to, link, ...only, pos }, { from: to, to: from, link, ...only, pos }] : [{ from, to, link, ...only, pos }];
}

export function parseImpairments(ctx: ParseContext, node: Node | null | undefined): ImpairmentSpec[] {
  if (node === undefined) return [];
  const out: ImpairmentSpec[] = [];
  for (const item of ctx.r.list(node, 'impairments') ?? []) out.push(...(impairment(ctx, item, 'an impairment') ?? []));
  return out;
}

const ACTIONS = ['kill', 'restart', 'pause', 'resume', 'drain', 'overload', 'supervise', 'impair', 'partition', 'heal', 'blackhole'] as const;
type ActionWord = (typeof ACTIONS)[number];
/** Keys that go with one action only. */
const MODIFIERS: Readonly<Record<string, ActionWord>> = { capacity: 'overload', 'one-way': 'partition', state: 'blackhole', to: 'supervise' };
const FAULT_KEYS = ['at', ...ACTIONS, ...Object.keys(MODIFIERS)];

/** Which kinds of node each action applies to. */
const TARGETS: Partial<Record<ActionWord, readonly RoleKind[]>> = {
  kill: ['master', 'portal', 'server', 'client'],
  restart: ['master', 'portal', 'server'],
  pause: ['master', 'portal', 'server', 'client'],
  resume: ['master', 'portal', 'server', 'client'],
  drain: ['server'],
  overload: ['server'],
  supervise: ['server'],
  blackhole: ['master', 'portal', 'server', 'client'],
};

export function parseFaults(ctx: ParseContext, node: Node | null | undefined, duration: number | undefined): Fault[] {
  const r = ctx.r;
  if (node === undefined) return [];
  const out: Fault[] = [];
  let last = 0;
  for (const item of r.list(node, 'faults') ?? []) {
    const e = r.map(item, 'a fault', FAULT_KEYS, ['at']);
    if (!e) continue;
    const at = ctx.time(e.get('at')!.value, 'fault at');
    const actions = ACTIONS.filter((a) => e.has(a));
    if (actions.length !== 1) {
      r.problem(item, actions.length === 0 ? `a fault needs one action: ${ACTIONS.join(', ')}` : `a fault has one action, not ${actions.join(' and ')}: give each its own item (with the same \`at\`)`);
      continue;
    }
    const action = actions[0]!;
    for (const [mod, owner] of Object.entries(MODIFIERS)) {
      if (e.has(mod) && owner !== action) r.problem(e.get(mod)!.key, `\`${mod}\` goes with \`${owner}\`, not with \`${action}\``);
    }
    if (at === undefined) continue;
    if (at < last) {
      r.problem(e.get('at')!.value, `faults must be in time order: ${at} ms comes after ${last} ms`);
      continue;
    }
    if (duration !== undefined && at > duration) {
      r.problem(e.get('at')!.value, `fault at ${at} ms is after the fault phase ends (duration ${duration} ms)`);
      continue;
    }
    last = at;
    const pos = r.pos(item);
    for (const a of faultActions(ctx, action, e)) out.push({ at, action: a, pos });
  }
  checkSchedule(ctx, out, node);
  return out;
}

function faultActions(ctx: ParseContext, action: ActionWord, e: Entries): FaultAction[] {
  const r = ctx.r;
  const value = e.get(action)!.value;
  switch (action) {
    case 'kill':
    case 'restart':
    case 'pause':
    case 'resume':
    case 'drain': {
      const nodes = ctx.resolve(value, action, { kinds: TARGETS[action] });
      return (nodes ?? []).map((node) => ({ kind: action, node }));
    }
    case 'overload': {
      const nodes = ctx.resolve(value, 'overload', { kinds: TARGETS.overload });
      if (!e.has('capacity')) {
        r.problem(value, 'overload: give the new `capacity` (bits per second; below what the server streams)');
        return [];
      }
      const capacity = r.unit(e.get('capacity')!.value, 'overload capacity', parseRate);
      if (!nodes || capacity === undefined) return [];
      return nodes.map((node) => ({ kind: 'overload', node, capacity }));
    }
    case 'supervise': {
      const nodes = ctx.resolve(value, 'supervise', { kinds: TARGETS.supervise });
      if (!e.has('to')) {
        r.problem(value, 'supervise: name the master to supervise it with `to` (§12.2)');
        return [];
      }
      const to = ctx.resolve(e.get('to')!.value, 'supervise to', { kinds: ['master'] });
      if (to && to.length !== 1) r.problem(e.get('to')!.value, 'supervise to: name one master');
      if (!nodes || !to || to.length !== 1) return [];
      return nodes.map((node) => ({ kind: 'supervise', node, to: to[0]! }));
    }
    case 'blackhole': {
      const nodes = ctx.resolve(value, 'blackhole', { kinds: TARGETS.blackhole });
      const state = e.has('state') ? r.oneOf(e.get('state')!.value, 'blackhole state', ['on', 'off'] as const) : 'on';
      if (!nodes || !state) return [];
      return nodes.map((node) => ({ kind: 'blackhole', node, on: state === 'on' }));
    }
    case 'impair':
      return (impairment(ctx, value, 'impair') ?? []).map((impairment) => ({ kind: 'impair', impairment }));
    case 'partition': {
      const oneWay = e.has('one-way') ? r.bool(e.get('one-way')!.value, 'partition one-way') : false;
      const sides = partitionSides(ctx, value);
      if (!sides || oneWay === undefined) return [];
      return [{ kind: 'partition', sides, oneWay }];
    }
    case 'heal':
      if (r.bool(value, 'heal') !== true) {
        r.problem(value, 'heal: write `heal: true` (it heals every partition)');
        return [];
      }
      return [{ kind: 'heal' }];
  }
}

/** `[[A, B], [C]]`: sides; `[A, B]` or `A`: that side against every other node. */
function partitionSides(ctx: ParseContext, node: Node | null): string[][] | undefined {
  const r = ctx.r;
  const nested = isSeq(node) && node.items.length > 0 && node.items.every((i) => isSeq(i));
  const sides: string[][] = [];
  if (nested) {
    for (const side of (node as { items: Node[] }).items) {
      const names = ctx.resolve(side, 'partition side', { extra: true });
      if (!names) return undefined;
      sides.push(names);
    }
  } else {
    const names = ctx.resolve(node, 'partition side', { extra: true });
    if (!names) return undefined;
    sides.push(names);
    sides.push([...ctx.names.all(), ...ctx.names.extra].filter((n) => !names.includes(n)));
  }
  if (sides.length < 2 || sides.some((s) => s.length === 0)) return r.problem(node, 'partition: give two sides or more, none empty ([[a, b], [c]]), or one side against all other nodes ([a, b])');
  const seen = new Set<string>();
  for (const s of sides) {
    for (const n of s) {
      if (seen.has(n)) return r.problem(node, `partition: ${n} is on two sides`);
      seen.add(n);
    }
  }
  return sides;
}

/** Walk the schedule in time order: each fault must be possible in the state the earlier ones leave. */
function checkSchedule(ctx: ParseContext, faults: readonly Fault[], node: Node | null): void {
  const state = new Map<string, 'up' | 'paused' | 'killed'>();
  const of = (n: string) => state.get(n) ?? 'up';
  const fail = (f: Fault, why: string) => {
    const p = f.pos ?? ctx.r.pos(node);
    ctx.r.problems.push({ file: ctx.r.file, line: p.line, col: p.col, message: `fault at ${f.at} ms: ${why}` });
  };
  for (const f of faults) {
    const a = f.action;
    if (!('node' in a)) continue;
    const s = of(a.node);
    switch (a.kind) {
      case 'kill':
        if (s === 'killed') fail(f, `${a.node} is already killed`);
        else state.set(a.node, 'killed');
        break;
      case 'restart':
        state.set(a.node, 'up'); // a running node is killed and started again at once
        break;
      case 'pause':
        if (s !== 'up') fail(f, `${a.node} is ${s}: only a running node can be paused`);
        else state.set(a.node, 'paused');
        break;
      case 'resume':
        if (s !== 'paused') fail(f, `${a.node} is ${s === 'up' ? 'not paused' : s}: resume follows a pause`);
        else state.set(a.node, 'up');
        break;
      case 'drain':
      case 'overload':
      case 'supervise':
        if (s !== 'up') fail(f, `${a.node} is ${s}: it cannot take ${a.kind === 'drain' ? 'a drain' : a.kind === 'overload' ? 'a new capacity' : 'a supervisor'}`);
        break;
      case 'blackhole':
        if (s === 'killed') fail(f, `${a.node} is killed`);
        break;
    }
  }
}
