/**
 * `ofp testbed run … --mode real --ui`: the dashboard on the scenario's
 * master while the run runs, with keys that inject faults by hand into the
 * selected server (kill, restart, pause/resume) and start the finished
 * clients again. Faults injected so go into the run record like the
 * scenario's own. On a terminal the progress lines go to the events pane and
 * the verdict is printed once the user quits; without one, plain status
 * lines on stdout until the run ends.
 */
import { parseAddress } from '../../src/protocol/address.js';
import { type AttachedDashboard, attachDashboard } from '../../src/runtime/dashboard/attach.js';
import { interactiveTerminal } from '../../src/runtime/dashboard/view.js';
import type { ResolvedEndpoint } from '../../src/runtime/resolve.js';
import type { ActionResult, ExtraAction } from '../../src/view/model.js';
import { type LiveRun, onLiveRun } from '../real/live.js';
import type { FaultAction } from '../scenario/types.js';

/** The dashboard's refresh during a run, ms. */
const UI_REFRESH = 500;

/** Why --ui cannot be used as asked, if it cannot. */
export function uiProblem(o: { mode: string; repeat: number; output: string }): string | undefined {
  if (o.mode !== 'real') return '--ui needs --mode real: a simulated run goes faster than real time, so there is nothing live to watch; run it with --mode real --ui';
  if (o.repeat > 1) return '--ui watches one run: drop --repeat';
  if (o.output !== 'human') return '--ui draws on the terminal: it does not go with --json or --json-stream';
  return undefined;
}

function endpoint(address: string | undefined): ResolvedEndpoint | undefined {
  const p = address ? parseAddress(address) : undefined;
  return p && address ? { host: p.host, port: p.port, family: p.host.includes(':') ? 6 : 4, address } : undefined;
}

/** The keys of a live run: each acts on the node behind the selected server's public address. */
function faultKeys(run: LiveRun): ExtraAction[] {
  const onServer = (label: string, action: (node: string) => FaultAction) => async (server: string | undefined): Promise<ActionResult> => {
    const node = server ? run.nodeAt(server) : undefined;
    if (!node) return { ok: false, text: `${label}: ${server ?? 'no server'} is no node of the scenario` };
    const a = action(node);
    await run.inject(a);
    return { ok: true, text: `${a.kind} ${node} (${server}), by hand` };
  };
  return [
    { key: 'x', label: 'kill', target: 'server', run: onServer('kill', (node) => ({ kind: 'kill', node })) },
    { key: 'r', label: 'restart', target: 'server', run: onServer('restart', (node) => ({ kind: 'restart', node })) },
    { key: 'z', label: 'pause/resume', target: 'server', run: onServer('pause', (node) => ({ kind: run.paused(node) ? 'resume' : 'pause', node })) },
    {
      key: 'c',
      label: 'clients again',
      target: 'none',
      run: async () => {
        const names = await run.restartClients();
        return names.length > 0 ? { ok: true, text: `started again: ${names.join(', ')}` } : { ok: false, text: 'no client has finished yet' };
      },
    },
  ];
}

export class TestbedDashboard {
  private dashboard: AttachedDashboard | undefined;
  private attaching: Promise<void> | undefined;
  private readonly interactive = interactiveTerminal();
  private quit = false;
  private over = () => {};
  private readonly runOver = new Promise<void>((resolve) => {
    this.over = resolve;
  });
  private readonly stopWatching: () => void;

  constructor() {
    this.stopWatching = onLiveRun((run) => {
      this.attaching = this.attach(run).catch((e: unknown) => {
        process.stderr.write(`the dashboard could not start: ${(e as Error).message}\n`);
      });
    });
  }

  private async attach(run: LiveRun): Promise<void> {
    const d = await attachDashboard({
      master: () => endpoint(run.master()),
      label: `${run.scenario.name}/${run.masterNode}`,
      ...(run.scenario.key ? { key: run.scenario.key } : {}),
      refreshMs: UI_REFRESH,
      readOnly: false,
      interactive: this.interactive,
      until: this.runOver,
      extra: faultKeys(run),
    });
    this.dashboard = d;
    void d.done.finally(() => {
      this.quit = true;
      void d.close();
    });
    if (this.interactive) d.store.note('testbed', 'info', 'keys on the selected server: x kill, r restart, z pause/resume; c starts the finished clients again; ? shows every key');
  }

  /** A progress line: into the events pane while the interactive dashboard is up (true), else false (print it as usual). */
  progress(line: string): boolean {
    if (!this.interactive || this.quit || !this.dashboard) return false;
    this.dashboard.store.note('testbed', 'info', line.trim());
    return true;
  }

  /** The run is over: on a terminal, say so and wait for the user to quit; plain lines stop. */
  async finish(verdict: string): Promise<void> {
    await this.attaching;
    const d = this.dashboard;
    this.over();
    if (d && this.interactive && !this.quit) d.store.note('testbed', 'info', `the run is over: ${verdict}; press q to see its checks`);
    await d?.done.catch(() => {});
    await this.dispose();
  }

  async dispose(): Promise<void> {
    this.stopWatching();
    this.over();
    await this.dashboard?.close();
  }
}
