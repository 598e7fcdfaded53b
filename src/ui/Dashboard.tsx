/**
 * The dashboard's root: header, the three panes (or help), status line and footer, drawn from
 * the store's snapshot within the terminal's height, with the keys that steer it.
 */
import { Box, useApp, useInput, useStdin, type Key } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { EventsPane } from './EventsPane.js';
import { filterEvents } from './filter.js';
import { footerSegments } from './footer.js';
import { headerTitle, headerTotals } from './header.js';
import { helpLines } from './help.js';
import { keyHelp } from './keymap.js';
import { INITIAL_UI, reduceKey, type Effect, type KeyContext, type Message, type UiState } from './keys.js';
import { frameLayout, paneRows } from './layout.js';
import { ColorContext, Line } from './Line.js';
import { MastersPane } from './MastersPane.js';
import { JobsPane } from './JobsPane.js';
import { jobsPaneLines } from './jobRow.js';
import type { ActionResult, Actions, SnapshotStore } from '../view/model.js';
import { PANES, type PaneName } from './panes.js';
import { keyedList, resolveSelection, scrollWindow } from './scroll.js';
import { ServersPane } from './ServersPane.js';
import { SessionsPane } from './SessionsPane.js';
import { colorByDefault } from './sgr.js';
import { statusSegments } from './status.js';
import { useBoundedDevMeasures } from './useBoundedDevMeasures.js';
import { useFrameSnapshot } from './useFrameSnapshot.js';
import { useNow } from './useNow.js';
import { useTerminalSize } from './useTerminalSize.js';

/** At most ten frames a second: enough to watch, cheap enough to stay responsive to keys. */
export const DEFAULT_FRAME_MS = 100;

export interface DashboardProps {
  readonly store: SnapshotStore;
  readonly actions: Actions;
  readonly readOnly: boolean;
  /** Terminal size; by default the output stream's (24x80 when it does not say). */
  readonly rows?: number;
  readonly columns?: number;
  /** Least time between two frames, ms; store changes in between are coalesced. 0 = every change. */
  readonly frameIntervalMs?: number;
  /** Wall clock (ms since the epoch), for "last heard … ago". */
  readonly clock?: () => number;
  /** Called when the user quits, before the app exits. */
  readonly onQuit?: () => void;
  /** Draw with colours; by default unless NO_COLOR is set. */
  readonly color?: boolean;
}

const NO_EXTRA: NonNullable<Actions['extra']> = [];

export function Dashboard(props: DashboardProps) {
  const { store, actions, readOnly } = props;
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const size = useTerminalSize(props.rows, props.columns);
  const [ui, setUiState] = useState<UiState>(INITIAL_UI);
  const uiRef = useRef(ui);
  const snapshot = useFrameSnapshot(store, props.frameIntervalMs ?? DEFAULT_FRAME_MS, ui.paused);
  const now = useNow(props.clock ?? Date.now);
  useBoundedDevMeasures();
  const extra = actions.extra ?? NO_EXTRA;
  const keys = useMemo(() => keyHelp(extra), [extra]);

  const events = useMemo(() => filterEvents(snapshot.events, ui.filter), [snapshot.events, ui.filter]);
  const lists = useMemo(() => ({
    servers: keyedList(snapshot.servers, (s) => s.name),
    sessions: keyedList(snapshot.sessions, (s) => s.sid),
    events: keyedList(events, (e) => e.seq),
  }), [snapshot.servers, snapshot.sessions, events]);

  const jobLines = useMemo(() => (snapshot.jobs ? jobsPaneLines(snapshot.jobs).length : 0), [snapshot.jobs]);
  const layout = frameLayout(size.rows, { servers: lists.servers.length, sessions: lists.sessions.length, events: lists.events.length }, ui.focus, snapshot.members.length, jobLines);
  const pageRows = {} as Record<PaneName, number>;
  const selected = {} as Record<PaneName, number>;
  const offsets = useRef<Record<PaneName, number>>({ servers: 0, sessions: 0, events: 0 });
  for (const p of PANES) {
    pageRows[p] = paneRows(p, layout.panes[p]);
    selected[p] = resolveSelection(lists[p], ui.selection[p]);
    // Scroll as little as possible from where the window was, so the list does not jump.
    offsets.current[p] = scrollWindow(offsets.current[p], selected[p], pageRows[p], lists[p].length);
  }

  // Key handling reads the latest render through refs, so one stable handler serves all frames.
  const ctxRef = useRef<KeyContext>({ lists, pageRows, readOnly, extra });
  ctxRef.current = { lists, pageRows, readOnly, extra };
  const hostRef = useRef({ actions, onQuit: props.onQuit, exit });
  hostRef.current = { actions, onQuit: props.onQuit, exit };
  const mounted = useRef(true);
  useEffect(() => () => {
    mounted.current = false;
  }, []);

  const setUi = useCallback((next: UiState) => {
    uiRef.current = next;
    setUiState(next);
  }, []);
  const say = useCallback((message: Message) => {
    if (mounted.current) setUi({ ...uiRef.current, message });
  }, [setUi]);

  const run = useCallback((effect: Effect) => {
    const host = hostRef.current;
    if (effect.type === 'quit') {
      host.onQuit?.();
      host.exit();
      return;
    }
    const [pending, what, call] = effect.type === 'drain'
      ? [`draining ${effect.server}`, `drain ${effect.server}`, () => host.actions.drain(effect.server)]
      : effect.type === 'handoff'
        ? [`handing stream ${effect.sid} off`, `handoff ${effect.sid}`, () => host.actions.handoff(effect.sid)]
        : [`${effect.action.label} ${effect.server ?? ''}`.trim(), effect.action.label, () => effect.action.run(effect.server)];
    say({ text: `${pending}…`, tone: 'info' });
    settle(call, what).then((r) => say({ text: r.text, tone: r.ok ? 'ok' : 'error' }));
  }, [say]);

  const onKey = useCallback((input: string, key: Key) => {
    const out = reduceKey(uiRef.current, input, key, ctxRef.current);
    if (out.state !== uiRef.current) setUi(out.state);
    if (out.effect) run(out.effect);
  }, [run, setUi]);
  // Without a terminal on stdin there are no keys to read (ink throws when asked to try).
  useInput(onKey, { isActive: isRawModeSupported === true });

  const width = size.columns;
  return (
    <ColorContext.Provider value={props.color ?? colorByDefault()}>
    <Box flexDirection="column" width={width} height={layout.height} overflowY="hidden">
      {layout.header >= 1 && <Line segments={headerTitle(snapshot, now, ui.paused, readOnly)} width={width} />}
      {layout.header >= 2 && <Line segments={headerTotals(snapshot)} width={width} />}
      {ui.help
        ? <Box flexDirection="column" height={layout.body} overflowY="hidden">
            {helpLines(keys, readOnly).slice(0, layout.body).map((segments, i) => <Line key={i} segments={segments} width={width} />)}
          </Box>
        : <Box flexDirection="column" height={layout.body} overflowY="hidden">
            {layout.masters > 0 && <MastersPane items={snapshot.members} rows={layout.masters - 2} width={width} />}
            {layout.jobs > 0 && snapshot.jobs && <JobsPane jobs={snapshot.jobs} rows={layout.jobs - 1} width={width} />}
            {layout.panes.servers > 0 && (
              <ServersPane items={snapshot.servers} views={snapshot.totals.views} offset={offsets.current.servers} rows={pageRows.servers}
                selected={selected.servers} focused={ui.focus === 'servers'} width={width} supervised={snapshot.members.length > 0} />
            )}
            {layout.panes.sessions > 0 && (
              <SessionsPane items={snapshot.sessions} offset={offsets.current.sessions} rows={pageRows.sessions}
                selected={selected.sessions} focused={ui.focus === 'sessions'} width={width} />
            )}
            {layout.panes.events > 0 && (
              <EventsPane items={events} offset={offsets.current.events} rows={pageRows.events} selected={selected.events}
                focused={ui.focus === 'events'} width={width} filter={ui.filter} total={snapshot.events.length} />
            )}
          </Box>}
      {layout.status && <Line segments={statusSegments(ui.typing, ui.filter, ui.message)} width={width} />}
      {layout.footer && <Line segments={footerSegments(keys, readOnly)} width={width} />}
    </Box>
    </ColorContext.Provider>
  );
}

/** An action's result, or its failure as one (an action must not take the dashboard down). */
async function settle(call: () => Promise<ActionResult>, what: string): Promise<ActionResult> {
  try {
    return await call();
  } catch (err) {
    return { ok: false, text: `${what}: ${err instanceof Error ? err.message : String(err)}` };
  }
}
