/** The three panes, in focus order. */
export type PaneName = 'servers' | 'sessions' | 'events';

export const PANES: readonly PaneName[] = ['servers', 'sessions', 'events'];

/** Lines a pane spends before its rows: the title, and a column header for the tables. */
export const PANE_OVERHEAD: Readonly<Record<PaneName, number>> = { servers: 2, sessions: 2, events: 1 };
