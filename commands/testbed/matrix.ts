import * as Flags from '@oclif/core/flags';
import { UsageError } from '../../src/errors.js';
import { OfpCommand } from '../base.js';

export default class TestbedMatrixCommand extends OfpCommand {
  static override summary = 'Run scenarios × modes over several seeds and print a ✓ ✕ ? matrix.';
  static override description = 'A cell is ✓ when every seed passed, ✕ when one failed, ? when the runs could not tell (an unknown check, or the mode could not run). Progress goes to stderr; each run writes its artifact folder as ofp testbed run does. Exit status: 0 no failure, 1 an expectation failed, 2 usage, 3 a mode could not run.';
  static override examples = [
    '<%= config.bin %> testbed matrix',
    '<%= config.bin %> testbed matrix --scenarios failover-mid-stream,drain-with-change-indicator --modes sim,real --seeds 3',
    '<%= config.bin %> testbed matrix --markdown > matrix.md',
  ];

  static override flags = {
    scenarios: Flags.string({ description: 'Comma-separated names or files (default: every bundled scenario but those tagged scale).' }),
    modes: Flags.string({ description: 'Comma-separated: sim, real.', default: 'sim' }),
    seeds: Flags.integer({ description: 'Seeds per cell: each scenario\'s own seed and the ones after it.', default: 1, min: 1, max: 10_000 }),
    seed: Flags.integer({ description: 'The first seed of every cell (default: each scenario\'s own).', min: 0, max: 0xffff_ffff }),
    out: Flags.string({ description: 'Where the run folders go.', default: 'runs' }),
    markdown: Flags.boolean({ description: 'Print the matrix as a Markdown table.', exclusive: ['json'], helpGroup: 'OUTPUT' }),
    json: Flags.boolean({ description: 'Print one JSON document: every cell with its runs.', exclusive: ['markdown'], helpGroup: 'OUTPUT' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TestbedMatrixCommand);
    const { testbedMatrix } = await import('../../testbed/cli/matrix.js');
    const modes = flags.modes.split(',').map((m) => m.trim()).filter(Boolean);
    const bad = modes.find((m) => m !== 'sim' && m !== 'real');
    if (bad !== undefined || modes.length === 0) throw new UsageError('usage', `--modes ${JSON.stringify(flags.modes)}: give sim, real or sim,real`);
    const scenarios = flags.scenarios?.split(',').map((s) => s.trim()).filter(Boolean);
    if (scenarios && scenarios.length === 0) throw new UsageError('usage', '--scenarios is empty: give names (ofp testbed list) or files, comma-separated');
    process.exitCode = await testbedMatrix({
      ...(scenarios ? { scenarios } : {}),
      modes: [...new Set(modes)] as ('sim' | 'real')[],
      seeds: flags.seeds,
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      out: flags.out,
      format: flags.json ? 'json' : flags.markdown ? 'markdown' : 'text',
    });
  }
}
