/**
 * Status pages for operators (§11.2): the pages of one reading come from one
 * snapshot per operator, a page-0 request takes it afresh, and session rows
 * carry the position, size, rate, scale and handoff state the dashboard
 * shows. Also: every §11.x the code names exists in the chapter.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_STATUS_SNAPSHOTS, STATUS_SNAPSHOT_TTL } from '../../../src/protocol/constants.js';
import type { MessageOf } from '../../../src/protocol/messages.js';
import { file, MasterFixture, RATE } from '../../helpers/masterFixture.js';
import { KEY } from '../../helpers/roleDriver.js';
import { answerEstablish, CLIENT, FILE, NO_POLLS, Operator, playing, SIZE } from './notices.operator.js';

type ServerRow = NonNullable<MessageOf<'status'>['servers']>[number];

/** A master with 40 servers, 10.0.1.1 … 10.0.1.40: two pages of the servers table. */
function fortyServers(key?: string) {
  const f = new MasterFixture({ key, config: { pollInterval: NO_POLLS } });
  for (let i = 0; i < 40; i++) f.addServer({ addr: `10.0.1.${i + 1}:5000`, files: [file('A')] });
  return f;
}

const names = (rows: readonly ServerRow[] | undefined) => (rows ?? []).map((r) => r.name);

/**
 * Read every page of the servers table, from row 0; `between` runs after the
 * first page. Returns the rows and the `total` of each page.
 */
function readServers(op: Operator, between: () => void = () => {}) {
  const rows: string[] = [];
  const totals: number[] = [];
  for (let i = 0; i < 20; i++) {
    const page = op.status('servers', rows.length);
    expect(page.from).toBe(rows.length);
    totals.push(page.total);
    rows.push(...names(page.servers));
    if (i === 0) between();
    if (rows.length >= page.total) break;
  }
  return { rows, totals };
}

describe('status: snapshots (§11.2)', () => {
  for (const key of [undefined, KEY]) {
    it(`the pages after the first come from its snapshot, though a server that sorts first joined in between${key ? ' (key set)' : ''}`, () => {
      const f = fortyServers(key);
      const op = new Operator(f);
      const before = f.master.serversView().map((s) => s.name).sort();
      const read = readServers(op, () => {
        f.d.advance(STATUS_SNAPSHOT_TTL / 2);
        f.addServer({ addr: '10.0.0.1:5000', files: [file('A')] });
      });
      expect(read.totals.length).toBeGreaterThan(2);
      expect(new Set(read.totals)).toEqual(new Set([40]));
      // Every row once: without the snapshot, the last row of page 0 would come again.
      expect(read.rows).toEqual(before);
    });
  }

  it('a request for page 0 takes a fresh snapshot, and the pages after it come from that one', () => {
    const f = fortyServers();
    const op = new Operator(f);
    expect(op.status('servers', 0).total).toBe(40);
    const early = f.addServer({ addr: '10.0.0.1:5000', files: [file('A')] });
    const read = readServers(op, () => early.leave());
    expect(new Set(read.totals)).toEqual(new Set([41]));
    expect(read.rows[0]).toBe(early.addr);
    expect(read.rows).toHaveLength(41);
    expect(new Set(read.rows).size).toBe(41);
    // The table itself no longer has it: a new reading says so.
    expect(op.status('servers', 0).total).toBe(40);
  });

  it(`another operator's page 0 does not disturb this operator's reading`, () => {
    const f = fortyServers();
    const a = new Operator(f);
    const b = new Operator(f, '10.0.9.2:7000');
    const before = f.master.serversView().map((s) => s.name).sort();
    const read = readServers(a, () => {
      f.addServer({ addr: '10.0.0.1:5000', files: [file('A')] });
      expect(b.status('servers', 0).total).toBe(41);
    });
    expect(new Set(read.totals)).toEqual(new Set([40]));
    expect(read.rows).toEqual(before);
  });

  it(`a snapshot older than STATUS_SNAPSHOT_TTL (${STATUS_SNAPSHOT_TTL} ms) is taken afresh, and total says so`, () => {
    const f = fortyServers();
    const op = new Operator(f);
    const p0 = op.status('servers', 0);
    f.addServer({ addr: '10.0.0.1:5000', files: [file('A')] });
    f.d.advance(STATUS_SNAPSHOT_TTL);
    expect(op.status('servers', p0.servers!.length).total).toBe(40);
    f.d.advance(1);
    expect(op.status('servers', p0.servers!.length).total).toBe(41);
  });

  it(`at most MAX_STATUS_SNAPSHOTS (${MAX_STATUS_SNAPSHOTS}) are kept: the oldest reading is taken afresh`, () => {
    const f = fortyServers();
    const ops = Array.from({ length: MAX_STATUS_SNAPSHOTS + 1 }, (_, i) => new Operator(f, `10.0.9.${i + 10}:7000`));
    const first = ops[0]!.status('servers', 0);
    f.addServer({ addr: '10.0.0.1:5000', files: [file('A')] });
    for (const op of ops.slice(1, MAX_STATUS_SNAPSHOTS)) op.status('servers', 0);
    // Still within the bound: the first operator's snapshot is there.
    expect(ops[0]!.status('servers', first.servers!.length).total).toBe(40);
    ops[MAX_STATUS_SNAPSHOTS]!.status('servers', 0);
    expect(ops[0]!.status('servers', first.servers!.length).total).toBe(41);
  });
});

describe('status: session rows for the dashboard (§11.2)', () => {
  it('position, size, rate and scale of a playing stream; moving while a handoff is under way; handoffs after', () => {
    const p = playing();
    const { f, from, sid, t0 } = p;
    const op = new Operator(f);
    const row = () => op.status('sessions', 0).sessions![0]!;
    expect(row()).toEqual({ sid, client: CLIENT, file: FILE, srv: from.addr, age: 0, live: true, npt: 0, size: SIZE, rate: RATE, scale: 1000 });
    f.d.advance(1000);
    from.track({ sid, n: 2, ev: 'adjust', when: f.d.now, scale: 2000 });
    f.d.advance(500);
    expect(row()).toMatchObject({ npt: 1000 + 1000, scale: 2000, age: 1500 });
    expect(row().moving).toBeUndefined();
    new Operator(f, '10.0.9.2:7000').control({ op: 'handoff', sid });
    expect(row()).toMatchObject({ moving: true, srv: from.addr });
    const to = answerEstablish(p);
    to.track({ sid, n: 1, ev: 'play', when: f.d.now, npt: 2100, scale: 2000, client: CLIENT, file: FILE });
    const after = row();
    expect(after).toMatchObject({ srv: to.addr, handoffs: 1, npt: 2100, scale: 2000 });
    expect(after.moving).toBeUndefined();
    expect(t0).toBeLessThan(f.d.now);
  });

  it('the position stops at the end of the item', () => {
    const p = playing();
    const op = new Operator(p.f);
    const duration = Math.floor((SIZE * 8000) / RATE);
    p.f.d.advance(duration + 60_000);
    expect(op.status('sessions', 0).sessions![0]).toMatchObject({ npt: duration });
  });

  it('a stream that has not reported playing has no position yet', () => {
    const f = new MasterFixture({ config: { pollInterval: NO_POLLS } });
    f.addServer({ files: [file(FILE, SIZE)] });
    f.answer(CLIENT, FILE, { mode: 'redirect' });
    const r = new Operator(f).status('sessions', 0).sessions![0]!;
    expect(r).toMatchObject({ live: false, size: SIZE, rate: RATE });
    expect(r.npt).toBeUndefined();
  });
});

describe('spec: the operators chapter', () => {
  it('every §11.x the code and the spec name is a section of 11-operators.md', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
    const chapter = readFileSync(join(root, 'protocol-spec/11-operators.md'), 'utf8');
    const sections = new Set([...chapter.matchAll(/^#{2,3} (11(?:\.[0-9]+)*) /gm)].map((m) => m[1]!));
    expect(sections).toEqual(new Set(['11.1', '11.2', '11.3', '11.4', '11.5', '11.6']));
    const files = [
      ...['src/protocol', 'src/roles/master'].flatMap((dir) => readdirSync(join(root, dir)).filter((n) => n.endsWith('.ts')).map((n) => join(dir, n))),
      ...readdirSync(join(root, 'protocol-spec')).filter((n) => n.endsWith('.md')).map((n) => join('protocol-spec', n)),
    ];
    const refs = new Set<string>();
    for (const f of files) for (const m of readFileSync(join(root, f), 'utf8').matchAll(/§(11(?:\.[0-9]+)*)/g)) refs.add(m[1]!);
    expect(refs.size).toBeGreaterThan(3);
    for (const r of refs) expect(r === '11' || sections.has(r), `§${r} is a section of chapter 11`).toBe(true);
    expect(readFileSync(join(root, 'protocol-spec/00-README.md'), 'utf8')).toContain('[11-operators.md](11-operators.md)');
  });
});
