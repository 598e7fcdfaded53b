import { describe, expect, it } from 'vitest';
import { cellsOf } from '../../src/ui/cells.js';
import type { ExtraAction } from '../../src/view/model.js';
import { event, FakeStore, KEY, RecordingActions, server, session, snapshot, until } from './fixtures.js';
import { lineWith, show } from './show.js';

const many = (n: number) => Array.from({ length: n }, (_, i) => server(i));

describe('dashboard keys on a live frame', () => {
  it('/ narrows the events as the filter is typed, enter keeps it, esc clears it', async () => {
    const store = new FakeStore(snapshot({
      events: [
        event(3, { kind: 'server-down', text: 'server 10.0.0.2:7001 down' }),
        event(2, { kind: 'handoff', text: 'handoff 7 a → b (failure)' }),
        event(1, { kind: 'redirect', text: 'redirect 1 to 10.0.0.1:7001' }),
      ],
    }));
    const { frame, stdin } = show({ store });
    stdin.write('/');
    await until(() => frame().includes('enter applies'), 'the filter prompt');
    for (const ch of 'DOWN') stdin.write(ch);
    await until(() => frame().includes('matching "DOWN"'), 'the filter applied while typing');
    expect(frame()).toContain('server 10.0.0.2:7001 down');
    expect(frame()).not.toContain('handoff 7');
    expect(frame()).not.toContain('redirect 1 to');
    stdin.write(KEY.enter);
    await until(() => !frame().includes('enter applies'), 'the prompt closed');
    expect(frame()).not.toContain('handoff 7');
    // A kind matches too.
    stdin.write('/');
    for (const ch of 'hand') stdin.write(ch);
    await until(() => frame().includes('matching "hand"'), 'filter on kind');
    expect(frame()).toContain('handoff 7');
    expect(frame()).not.toContain('server 10.0.0.2:7001 down');
    stdin.write(KEY.escape);
    await until(() => frame().includes('redirect 1 to') && frame().includes('handoff 7'), 'the filter cleared');
  });

  it('tab moves the focus and arrows move the selection, scrolling to keep it visible', async () => {
    const store = new FakeStore(snapshot({ servers: many(100), sessions: [session(1), session(2), session(3)] }));
    const { frame, stdin } = show({ store, rows: 20 });
    expect(lineWith(frame(), '10.0.0.0:7001')).toMatch(/^› /);
    for (let i = 0; i < 30; i++) stdin.write(KEY.down);
    await until(() => frame().includes('› 10.0.0.30:7001'), 'the 31st server selected');
    expect(frame()).not.toMatch(/^\s+10\.0\.0\.0:7001/m);
    expect(frame()).toMatch(/Servers\s+\d+-31 of 100/);
    stdin.write('k');
    await until(() => frame().includes('› 10.0.0.29:7001'), 'k moves up');
    stdin.write(KEY.tab);
    stdin.write('j');
    await until(() => /›\s+2 10\.9\.0\.2/.test(frame()), 'the second session selected');
    // The servers pane keeps its own selection.
    expect(frame()).toContain('› 10.0.0.29:7001');
  });

  it('d drains the selected server and h hands the selected stream off, with the result in the status line', async () => {
    const store = new FakeStore(snapshot({ servers: many(5), sessions: [session(7), session(8), session(9)] }));
    const { frame, stdin, actions } = show({ store });
    stdin.write('j');
    stdin.write('j');
    stdin.write('d');
    await until(() => actions.calls.length === 1, 'drain called');
    expect(actions.calls).toEqual(['drain 10.0.0.2:7001']);
    await until(() => frame().includes('✓ drain 10.0.0.2:7001: ok'), 'the drain result');
    stdin.write(KEY.tab);
    stdin.write(KEY.down);
    stdin.write('h');
    await until(() => actions.calls.length === 2, 'handoff called');
    expect(actions.calls[1]).toBe('handoff 8');
    await until(() => frame().includes('✓ handoff 8: moving'), 'the handoff result');
  });

  it('shows a failed action as an error, thrown or answered', async () => {
    const actions = new RecordingActions();
    actions.drain = async () => ({ ok: false, text: 'drain: E_UNKNOWN_SERVER no such server' });
    actions.handoff = async () => {
      throw new Error('master unreachable');
    };
    const { frame, stdin } = show({ actions });
    stdin.write('d');
    await until(() => frame().includes('✕ drain: E_UNKNOWN_SERVER no such server'), 'the drain error');
    stdin.write('h');
    await until(() => frame().includes('✕ handoff 1: master unreachable'), 'the thrown error');
  });

  it('read-only blocks d, h and extra actions with a one-line message', async () => {
    let ran = 0;
    const kill: ExtraAction = { key: 'x', label: 'kill', target: 'server', run: async () => ((ran += 1), { ok: true, text: 'killed' }) };
    const actions = new RecordingActions([kill]);
    const { frame, stdin } = show({ actions, readOnly: true });
    stdin.write('d');
    await until(() => frame().includes('read-only: d (drain) is disabled'), 'the read-only message');
    stdin.write('h');
    await until(() => frame().includes('read-only: h (handoff) is disabled'), 'the read-only message for h');
    stdin.write('x');
    await until(() => frame().includes('read-only: x (kill) is disabled'), 'the read-only message for x');
    expect(actions.calls).toEqual([]);
    expect(ran).toBe(0);
  });

  it('runs extra actions on their key, with the selected server', async () => {
    const got: (string | undefined)[] = [];
    const kill: ExtraAction = { key: 'x', label: 'kill', target: 'server', run: async (s) => (got.push(s), { ok: true, text: `killed ${s}` }) };
    const clients: ExtraAction = { key: 'c', label: 'start clients', target: 'none', run: async (s) => (got.push(s), { ok: true, text: 'started 5 clients' }) };
    const { frame, stdin } = show({ actions: new RecordingActions([kill, clients]) });
    expect(lineWith(frame(), 'x kill')).toContain('c start clients');
    stdin.write('j');
    stdin.write('x');
    await until(() => frame().includes('✓ killed 10.0.0.1:7001'), 'the kill result');
    stdin.write('c');
    await until(() => frame().includes('✓ started 5 clients'), 'the clients result');
    expect(got).toEqual(['10.0.0.1:7001', undefined]);
  });

  it('p freezes the shown snapshot and says PAUSED; p again shows the latest', async () => {
    const store = new FakeStore(snapshot({ servers: [server(0, { streams: 3 })] }));
    const { frame, stdin } = show({ store });
    stdin.write('p');
    await until(() => frame().includes('PAUSED'), 'PAUSED');
    store.set({ servers: [server(0, { streams: 3 }), server(1, { name: '10.0.0.99:7001' })] });
    store.set({ events: [event(9, { text: 'server 10.0.0.99:7001 joined' })] });
    // Give a render the chance to happen: a key press renders the frame again.
    stdin.write('j');
    await until(() => frame().includes('PAUSED'), 'still paused');
    await new Promise((r) => setImmediate(r));
    expect(frame()).not.toContain('10.0.0.99:7001');
    stdin.write('p');
    await until(() => frame().includes('10.0.0.99:7001'), 'the latest snapshot');
    expect(frame()).not.toContain('PAUSED');
  });

  it('q quits, and ctrl-c too', async () => {
    let quits = 0;
    const a = show({ onQuit: () => (quits += 1) });
    a.stdin.write('q');
    await until(() => quits === 1, 'q to quit');
    expect(a.store.listenerCount).toBe(0);
    const b = show({ onQuit: () => (quits += 1) });
    b.stdin.write(KEY.ctrlC);
    await until(() => quits === 2, 'ctrl-c to quit');
  });
});

describe('dashboard size and rate', () => {
  it('never draws more lines than the terminal has rows, with 1,000 servers and 10,000 sessions', async () => {
    const sessions = Array.from({ length: 10_000 }, (_, i) => session(i));
    // Wide characters in event texts must not make lines overflow either.
    const events = Array.from({ length: 500 }, (_, i) => event(500 - i, { text: `${'漢字'.repeat(i % 60)} event ${i}` }));
    const store = new FakeStore(snapshot({ servers: many(1000), sessions, events }));
    for (const rows of [15, 8, 5, 3, 24]) {
      const { lines, stdin, frame, unmount } = show({ store, rows, columns: 80 });
      expect(lines().length).toBeLessThanOrEqual(rows - 1);
      for (const line of lines()) expect(cellsOf(line)).toBeLessThanOrEqual(80);
      stdin.write('?');
      await until(() => frame() !== '', 'a frame');
      expect(lines().length).toBeLessThanOrEqual(rows - 1);
      unmount();
    }
    const { lines, frame, stdin } = show({ store, rows: 15, columns: 80 });
    // All three panes still show, and the footer is on the last line.
    expect(frame()).toMatch(/Servers[\s\S]*Sessions[\s\S]*Events/);
    expect(lines().at(-1)).toContain('q quit');
    stdin.write('G');
    await until(() => frame().includes('1000 of 1000'), 'the last server');
    expect(lines().length).toBeLessThanOrEqual(14);
  });

  it('formats only the rows it shows (windowing), however long the lists', () => {
    let reads = 0;
    const counting = <T,>(items: T[]) => new Proxy(items, {
      get(target, prop, receiver) {
        if (typeof prop === 'string' && /^\d+$/.test(prop)) reads += 1;
        return Reflect.get(target, prop, receiver);
      },
    });
    const store = new FakeStore(snapshot({
      servers: counting(many(1000)),
      sessions: counting(Array.from({ length: 10_000 }, (_, i) => session(i))),
    }));
    reads = 0;
    show({ store, rows: 40 });
    expect(reads).toBeGreaterThan(10);
    expect(reads).toBeLessThan(200);
  });

  it('coalesces store changes into at most one frame per interval', async () => {
    const store = new FakeStore(snapshot());
    const { frames, frame } = show({ store, frameIntervalMs: 200 });
    const before = frames.length;
    const started = Date.now();
    for (let i = 1; i <= 50; i++) store.set({ totals: { ...store.get().totals, streams: 1000 + i } });
    await until(() => frame().includes('streams 1050'), 'the last change shown');
    const elapsed = Date.now() - started;
    // The first change may draw at once; the other 49 share one frame at the end of the interval.
    expect(frames.length - before).toBeLessThanOrEqual(3);
    expect(elapsed).toBeGreaterThanOrEqual(150);
  });

  it('follows the terminal: rows and columns from the output stream', async () => {
    const { stdout, lines } = show({ rows: undefined, columns: undefined });
    // ink-testing-library's output says 100 columns and no rows: 24 rows are assumed.
    expect(lines().length).toBeLessThanOrEqual(23);
    expect(Math.max(...lines().map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(stdout.columns).toBe(100);
  });
});

describe('dashboard memory', () => {
  it('drops the performance measures a development React build leaves behind', () => {
    const { unmount } = show();
    performance.mark('probe-start');
    performance.measure('probe', 'probe-start');
    expect(performance.getEntriesByType('measure').length).toBeGreaterThan(0);
    unmount();
    expect(performance.getEntriesByType('measure')).toEqual([]);
    performance.clearMarks('probe-start');
  });
});
