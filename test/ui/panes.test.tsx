import { describe, expect, it } from 'vitest';
import { serverColumns, serverRow } from '../../src/ui/serverRow.js';
import { sessionColumns, sessionRow } from '../../src/ui/sessionRow.js';
import { eventRow } from '../../src/ui/eventRow.js';
import { segmentsText } from '../../src/ui/segments.js';
import { type ServerStateView, viewsWhole } from '../../src/view/model.js';
import { event, FakeStore, server, session, snapshot, T0, totalsOf, until } from './fixtures.js';
import { lineWith, show } from './show.js';

describe('servers pane', () => {
  it('shows address, group, state, files, streams, bandwidth against capacity as a bar, and the load sparkline', () => {
    const store = new FakeStore(snapshot({
      servers: [
        server(0, { name: '10.0.0.1:7001', group: 'east', files: 4, streams: 7, bw: 50e6, cap: 100e6, history: [0, 50e6, 100e6] }),
        server(1, { name: '10.0.0.2:7001', state: 'down', bw: 0, history: [] }),
      ],
    }));
    const { frame } = show({ store });
    const row = lineWith(frame(), '10.0.0.1:7001');
    expect(row).toMatch(/10\.0\.0\.1:7001\s+east\s+up\s+4\s+7\s+50M\/100M/);
    // Half the capacity in use: the bar is half full.
    const barText = row.match(/[█░]+/)![0];
    expect(barText.split('█').length - 1).toBe(barText.length / 2);
    expect(row).toContain('▁▅█');
    expect(lineWith(frame(), '10.0.0.2:7001')).toMatch(/west\s+down/);
    expect(frame()).toContain('Servers');
  });

  it('shows where each server is and the master\'s round trip to it (§12.5), once one server said where it is', () => {
    const servers = [
      server(0, { name: '10.0.0.1:7001', loc: 'par-1', rtt: 3 }),
      server(1, { name: '10.0.0.2:7001', loc: 'lon-1' }),
      server(2, { name: '10.0.0.3:7001' }),
    ];
    const { frame } = show({ store: new FakeStore(snapshot({ servers })), columns: 120 });
    expect(lineWith(frame(), 'where')).toMatch(/bandwidth where/);
    expect(lineWith(frame(), '10.0.0.1:7001')).toMatch(/ par-1 3ms /);
    expect(lineWith(frame(), '10.0.0.2:7001')).toMatch(/ lon-1 - /);
    expect(lineWith(frame(), '10.0.0.3:7001')).toMatch(/\/\S+ - - /);
    // No server said where it is: no column.
    const plain = show({ store: new FakeStore(snapshot({ servers: [server(0, { rtt: 3 })] })), columns: 120 });
    expect(plain.frame()).not.toContain('where');
    // A narrow terminal keeps the bar rather than the column.
    expect(serverColumns(80, false, true).where).toBe(0);
    expect(serverColumns(120, false, true).where).toBeGreaterThan(0);
  });

  it('shows each server\'s view of the others (§13): how many it holds alive, and its stalest entry\'s age', () => {
    const servers = [server(0, { name: '10.0.0.1:7001', viewKnown: 19, viewStalest: 3 }), server(1, { name: '10.0.0.2:7001' })];
    const { frame } = show({ store: new FakeStore(snapshot({ servers, totals: { ...totalsOf(servers, []), views: viewsWhole(servers)! } })), columns: 120 });
    expect(lineWith(frame(), 'bandwidth')).toMatch(/bandwidth view /);
    expect(lineWith(frame(), '10.0.0.1:7001')).toMatch(/ 19 · 3s /);
    expect(lineWith(frame(), '10.0.0.2:7001')).toMatch(/\/\S+ - /);
    // The pane's title says how far the views converged: the one server that keeps a view holds the other.
    expect(lineWith(frame(), 'Servers')).toMatch(/ 2 · views whole 1\/1/);
    const four = [server(0, { viewKnown: 2 }), server(1, { viewKnown: 2 }), server(2, { viewKnown: 1 }), server(3, { state: 'down', viewKnown: 0 })];
    const converged = show({ store: new FakeStore(snapshot({ servers: four, totals: { ...totalsOf(four, []), views: viewsWhole(four)! } })), columns: 120 });
    expect(lineWith(converged.frame(), 'Servers')).toMatch(/views whole 2\/3/);
    // No server keeps a view (no cluster key): no column.
    expect(show({ store: new FakeStore(snapshot({ servers: [server(0)] })), columns: 120 }).frame()).not.toMatch(/ view |views whole/);
    expect(serverColumns(80, false, false, true).view).toBe(0);
  });

  it('colours each state', () => {
    const cols = serverColumns(100);
    const colour = (state: ServerStateView) => serverRow(server(0, { state }), cols, false).find((s) => s.text.trim() === state)?.color;
    expect(colour('joining')).toBe('cyan');
    expect(colour('up')).toBe('green');
    expect(colour('down')).toBe('red');
    expect(colour('draining')).toBe('yellow');
    expect(colour('overloaded')).toBe('magenta');
  });

  it('draws states in their colours, and no colours when told not to', () => {
    const store = new FakeStore(snapshot({ servers: [server(0), server(1, { state: 'down' }), server(2, { state: 'draining' })] }));
    const { raw } = show({ store });
    // The codes just before a word (ink may split `1;31` into `1` and `31`).
    const codesBefore = (word: string) => raw().match(new RegExp(`((?:\u001B\\[[0-9;]*m)+)${word}`))?.[1] ?? '';
    expect(codesBefore('up ')).toMatch(/\b32m/);
    expect(codesBefore('down ')).toMatch(/\b31m/);
    expect(codesBefore('draining ')).toMatch(/\b33m/);
    const plain = show({ store, color: false });
    expect(plain.raw()).not.toMatch(/\u001B\[[0-9;]*m/);
    expect(plain.raw()).toContain('down');
  });

  it('keeps every row exactly as wide as the terminal', () => {
    for (const width of [80, 100, 160]) {
      expect(segmentsText(serverRow(server(0, { name: 'x'.repeat(60) }), serverColumns(width), true)).length).toBeLessThanOrEqual(width);
      expect(segmentsText(serverRow(server(0, { name: 'x'.repeat(60), loc: 'l'.repeat(32), rtt: 12_345 }), serverColumns(width, false, true), true)).length).toBeLessThanOrEqual(width);
      expect(segmentsText(sessionRow(session(1, { file: 'f'.repeat(80) }), sessionColumns(width), true)).length).toBeLessThanOrEqual(width);
      expect(segmentsText(eventRow(event(1, { text: 't'.repeat(300) }), width, true)).length).toBe(width);
    }
  });
});

describe('sessions pane', () => {
  it('shows client, file, server, a progress bar with the NPT, the rate, handoffs and a marker while moving', () => {
    const store = new FakeStore(snapshot({
      sessions: [
        session(41, { client: '10.9.0.1:50001', file: 'movie.ts', srv: '10.0.0.1:7001', npt: 60_000, duration: 240_000, scale: 2000, handoffs: 3, moving: true }),
        session(42, { npt: undefined, duration: undefined, scale: 1000 }),
      ],
    }));
    const { frame } = show({ store });
    const row = lineWith(frame(), '10.9.0.1:50001');
    expect(row).toMatch(/41 10\.9\.0\.1:50001\s+movie\.ts\s+10\.0\.0\.1:7001/);
    expect(row).toContain('01:00/04:00');
    expect(row).toMatch(/\b2x\s+3/);
    expect(row).toContain('⇄ moving');
    // A quarter played: a quarter of the bar filled.
    const barText = row.match(/[█░]+/)![0];
    expect(barText.split('█').length - 1).toBe(Math.round(barText.length / 4));
    const unknown = lineWith(frame(), '   42 ');
    expect(unknown).toContain('--:--/--:--');
    expect(unknown).not.toContain('moving');
  });
});

describe('events pane', () => {
  it('lists events newest first with level and kind', () => {
    const store = new FakeStore(snapshot({
      events: [
        event(3, { kind: 'server-down', level: 'error', text: 'server 10.0.0.2:7001 down' }),
        event(2, { kind: 'handoff', level: 'warn', text: 'handoff 7 a → b (failure) gap 512 ms' }),
        event(1, { kind: 'server-join', text: 'server 10.0.0.2:7001 joined' }),
      ],
    }));
    const { frame } = show({ store });
    const f = frame();
    expect(f.indexOf('server-down')).toBeLessThan(f.indexOf('handoff 7'));
    expect(f.indexOf('handoff 7')).toBeLessThan(f.indexOf('joined'));
    expect(lineWith(f, 'server-down')).toMatch(/error server-down\s+server 10\.0\.0\.2:7001 down/);
    expect(eventRow(event(1, { level: 'error' }), 80, false).some((s) => s.color === 'red')).toBe(true);
    expect(eventRow(event(1, { level: 'warn' }), 80, false).some((s) => s.color === 'yellow')).toBe(true);
  });
});

describe('header', () => {
  it('shows the totals from the store and the master as up', () => {
    const store = new FakeStore(snapshot({
      totals: { serversUp: 2, servers: 3, streams: 17, bw: 150e6, cap: 300e6, requestsPerSec: 4.25 },
    }));
    const { frame } = show({ store });
    expect(frame()).toContain('master 127.0.0.1:7000 ● up');
    expect(lineWith(frame(), 'servers 2/3 up')).toMatch(/servers 2\/3 up\s+streams 17\s+bw 150 Mbit\/s of 300 Mbit\/s \(50%\)\s+4\.3 req\/s/);
  });

  it('shows an unreachable master in capitals with the time since it was last heard, and connecting', async () => {
    const store = new FakeStore(snapshot({ reachability: 'unreachable', lastHeard: T0 }));
    const { frame } = show({ store });
    expect(frame()).toContain('UNREACHABLE (last heard 12 s ago)');
    store.set({ reachability: 'connecting' });
    await until(() => frame().includes('connecting…'), 'connecting');
    expect(frame()).not.toContain('UNREACHABLE');
    store.set({ reachability: 'unreachable', lastHeard: undefined });
    await until(() => frame().includes('UNREACHABLE (never heard)'), 'never heard');
  });
});

describe('footer and help', () => {
  it('shows the keys in the footer, with extra actions', () => {
    const actions = { drain: async () => ({ ok: true, text: '' }), handoff: async () => ({ ok: true, text: '' }),
      extra: [{ key: 'x', label: 'kill', target: 'server' as const, run: async () => ({ ok: true, text: '' }) }] };
    const { lines } = show({ actions });
    const footer = lines().at(-1)!;
    for (const k of ['tab focus', '/ filter', 'd drain', 'h handoff', 'x kill', 'p pause', '? help', 'q quit']) expect(footer).toContain(k);
  });

  it('says read-only in the footer and leaves the acting keys out', () => {
    const { lines } = show({ readOnly: true });
    const footer = lines().at(-1)!;
    expect(footer).toContain('READ-ONLY');
    expect(footer).not.toContain('d drain');
    expect(footer).toContain('q quit');
  });

  it('? opens the help with every key and esc closes it', async () => {
    const actions = { drain: async () => ({ ok: true, text: '' }), handoff: async () => ({ ok: true, text: '' }),
      extra: [{ key: 'r', label: 'restart', target: 'server' as const, run: async () => ({ ok: true, text: '' }) }] };
    const { frame, stdin } = show({ actions });
    stdin.write('?');
    await until(() => frame().includes('Keys'), 'help');
    for (const k of ['drain the selected server', 'hand the selected stream off', 'restart (the selected server)', 'pause updates', 'quit']) {
      expect(frame()).toContain(k);
    }
    expect(frame()).not.toContain('Sessions');
    stdin.write('\u001B');
    await until(() => frame().includes('Sessions'), 'panes back');
    expect(frame()).not.toContain('Keys ');
  });
});

describe('masters pane and supervisors (§12.1, §12.2)', () => {
  const members = [
    { addr: '127.0.0.1:7000', state: 'self' as const, inc: 0, age: 0, supervises: 2, requestsPerSec: 12.5, assigned: 4 },
    { addr: '127.0.0.1:7001', state: 'alive' as const, inc: 1, age: 42_000, supervises: 1, assigned: 3 },
    { addr: '127.0.0.1:7002', state: 'dead' as const, inc: 3, age: 1_500, supervises: 0, assigned: 0 },
  ];

  it('shows a group\'s masters (state, incarnation, how long, servers supervised, streams assigned, req/s) and each server\'s supervisor', () => {
    const store = new FakeStore(snapshot({
      members,
      servers: [server(0, { name: '10.0.0.1:7001', supervisor: '127.0.0.1:7000' }), server(1, { name: '10.0.0.2:7001', supervisor: '127.0.0.1:7001*' })],
    }));
    const { frame } = show({ store, rows: 40, columns: 120 });
    expect(frame()).toMatch(/Masters[\s\S]*Servers[\s\S]*Sessions[\s\S]*Events/);
    expect(lineWith(frame(), 'supervises')).toMatch(/master\s+state\s+inc\s+for\s+supervises\s+assigned\s+req\/s/);
    expect(frame()).toMatch(/^ +127\.0\.0\.1:7000 +this +- +- +2 +4 +12\.5/m);
    expect(frame()).toMatch(/^ +127\.0\.0\.1:7001 +alive +1 +42s +1 +3 +-/m);
    expect(frame()).toMatch(/^ +127\.0\.0\.1:7002 +dead +3 +1s +0 +0 +-/m);
    expect(lineWith(frame(), 'bandwidth')).toContain('supervisor');
    expect(lineWith(frame(), '10.0.0.2:7001')).toContain('127.0.0.1:7001*');
  });

  it('shows neither for a master on its own, and gives the masters pane no lines on a short terminal', () => {
    const { frame } = show({ store: new FakeStore(snapshot()), rows: 40, columns: 120 });
    expect(frame()).not.toContain('Masters');
    expect(lineWith(frame(), 'bandwidth')).not.toContain('supervisor');
    const short = show({ store: new FakeStore(snapshot({ members })), rows: 14, columns: 120 });
    expect(short.frame()).not.toContain('Masters');
    expect(short.frame()).toMatch(/Servers[\s\S]*Sessions[\s\S]*Events/);
  });
});
