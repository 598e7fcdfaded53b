/** Render the dashboard for a test with a fixed clock, size and no frame-rate cap unless asked. */
import { cleanup, render } from 'ink-testing-library';
import { afterEach } from 'vitest';
import { Dashboard, type DashboardProps } from '../../src/ui/run.js';
import { FakeStore, RecordingActions, T0 } from './fixtures.js';

afterEach(() => cleanup());

export function show(over: Partial<DashboardProps> = {}) {
  const store = (over.store as FakeStore | undefined) ?? new FakeStore();
  const actions = (over.actions as RecordingActions | undefined) ?? new RecordingActions();
  const r = render(
    <Dashboard store={store} actions={actions} readOnly={false} rows={24} columns={100} frameIntervalMs={0} clock={() => T0 + 12_000} color {...over} />,
  );
  const raw = () => r.lastFrame() ?? '';
  const frame = () => stripAnsi(raw());
  return { ...r, store, actions, raw, frame, lines: () => frame().split('\n') };
}

const SGR = /\u001B\[[0-9;]*m/g;

export function stripAnsi(text: string): string {
  return text.replace(SGR, '');
}

/** The frame line that contains `text` (fails if none). */
export function lineWith(frame: string, text: string): string {
  const line = frame.split('\n').find((l) => l.includes(text));
  if (line === undefined) throw new Error(`no line with ${JSON.stringify(text)} in:\n${frame}`);
  return line;
}
