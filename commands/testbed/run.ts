import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { DEFAULT_TRACE_CAP } from '../../testbed/cli/flags.js';
import { UsageError } from '../../src/errors.js';
import { OfpCommand } from '../base.js';

export default class TestbedRunCommand extends OfpCommand {
  static override summary = 'Run a testbed scenario (bundled NAME, or a .yaml FILE) in simulation or on real UDP, and check its expectations.';
  static override description = 'Progress goes to stderr, verdicts to stdout; each run writes runs/<scenario>/<time>-<mode>-seed<N>/ (run.json, events.ndjson, trace.ndjson, summary.md, logs/) and points runs/<scenario>/latest at it. A failing run prints SEED=… and the command that reproduces it. Exit status: 0 pass (or unknown), 1 an expectation failed, 2 invalid scenario or usage, 3 harness failure. The scenario format: testbed/README.md.';
  static override examples = [
    '<%= config.bin %> testbed run failover-mid-stream',
    '<%= config.bin %> testbed run failover-mid-stream --seed 7 --repeat 20',
    '<%= config.bin %> testbed run ./my-scenario.yaml --mode real --json',
    '<%= config.bin %> testbed run scale-1000x10000 --scale 0.1',
    '<%= config.bin %> testbed run failover-mid-stream --mode real --ui',
  ];

  static override args = {
    scenario: Args.string({ description: 'A bundled scenario\'s name (ofp testbed list) or a scenario file.', required: true }),
  };

  static override flags = {
    mode: Flags.option({ description: 'sim: the role cores on a simulated network with a virtual clock (reproducible from the seed); real: ofp processes on loopback UDP through an impairment relay.', options: ['sim', 'real'] as const, default: 'sim' })(),
    seed: Flags.integer({ description: 'The seed (default: the scenario\'s own).', min: 0, max: 0xffff_ffff }),
    repeat: Flags.integer({ description: 'Run it this many times, with the seeds that follow (seed, seed+1, …).', default: 1, min: 1, max: 100_000 }),
    scale: Flags.string({ description: 'Run a reduced (or enlarged) copy: every count and every time of the run (duration, starts, fault times) multiplied by this (0 < F ≤ 10).' }),
    out: Flags.string({ description: 'Where the run folders go.', default: 'runs' }),
    'trace-cap': Flags.integer({ description: 'Datagrams kept in trace.ndjson at most; beyond, an even sample of the run (the trace hash always covers every datagram). 0: no trace file.', default: DEFAULT_TRACE_CAP, min: 0 }),
    json: Flags.boolean({ description: 'Print one JSON document at the end (progress stays on stderr).', exclusive: ['json-stream'], helpGroup: 'OUTPUT' }),
    ui: Flags.boolean({ description: 'Watch the run on the dashboard (ofp dashboard) attached to the scenario\'s master, with keys that inject faults into the selected server by hand: x kill, r restart, z pause/resume; c starts the finished clients again. Real mode only; one run.' }),
    'json-stream': Flags.boolean({ description: 'Print one JSON object per line on stdout, {"event","t","data"}: run-start, progress, check, run, summary.', exclusive: ['json'], helpGroup: 'OUTPUT' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TestbedRunCommand);
    const { testbedRun } = await import('../../testbed/cli/run.js');
    let scale: number | undefined;
    if (flags.scale !== undefined) {
      scale = Number(flags.scale);
      if (!(scale > 0 && scale <= 10)) throw new UsageError('usage', `--scale ${JSON.stringify(flags.scale)} must be a number above 0 and at most 10 (0.1: a tenth of the nodes and of the time)`);
    }
    process.exitCode = await testbedRun({
      target: args.scenario,
      mode: flags.mode,
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      repeat: flags.repeat,
      ...(scale !== undefined ? { scale } : {}),
      out: flags.out,
      traceCap: flags['trace-cap'],
      output: flags.json ? 'json' : flags['json-stream'] ? 'json-stream' : 'human',
      ui: flags.ui,
    });
  }
}
