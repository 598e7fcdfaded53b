import { describe, expect, it } from 'vitest';
import { runDashboard } from '../../src/ui/run.js';
import { FakeTtyIn, FakeTtyOut } from './fakeTerminal.js';
import { FakeStore, RecordingActions, until } from './fixtures.js';

describe('runDashboard', () => {
  it('draws the dashboard on the given terminal and resolves when the user quits, unmounted', async () => {
    const store = new FakeStore();
    const stdin = new FakeTtyIn();
    const stdout = new FakeTtyOut(100, 30);
    let done = false;
    const running = runDashboard({
      store, actions: new RecordingActions(), readOnly: false,
      stdin: stdin as unknown as NodeJS.ReadStream, stdout: stdout as unknown as NodeJS.WriteStream, maxFps: 20, patchConsole: false,
    }).then(() => {
      done = true;
    });
    await until(() => store.listenerCount === 1 && stdin.rawMode, 'the dashboard listening');
    expect(done).toBe(false);
    stdin.press('q');
    await running;
    expect(done).toBe(true);
    expect(stdout.written).toContain('Servers');
    // Unmounted: no longer listening to the store, the terminal back out of raw mode.
    expect(store.listenerCount).toBe(0);
    expect(stdin.rawMode).toBe(false);
  });
});
