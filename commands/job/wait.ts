import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { OfpCommand } from '../base.js';
import { json, jsonStream, key, logLevel, outputMode } from '../flags.js';

export default class JobWaitCommand extends OfpCommand {
  static override summary = "Wait for a distribution job to end: every target completed, or some failed.";
  static override description = 'Follows the job at its base server until every target has completed (exit 0) or some failed (exit 1, with the failures), then prints the state of every target. Needs the cluster key.';
  static override examples = ['OFP_KEY="$KEY" <%= config.bin %> job wait 2871 --base 127.0.0.1:7900', 'OFP_KEY="$KEY" <%= config.bin %> job wait 2871 --base 127.0.0.1:7900 --json'];

  static override args = {
    job: Args.string({ description: 'The job id (ofp job submit prints it).', required: true }),
  };

  static override flags = {
    base: Flags.string({ description: 'The base server, HOST:PORT.', default: '127.0.0.1:7900' }),
    key,
    json: json(),
    'json-stream': jsonStream(),
    'log-level': logLevel,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(JobWaitCommand);
    const { runJobFollow } = await import('../../src/runtime/job.js');
    process.exitCode = await runJobFollow({
      job: args.job,
      base: flags.base,
      ...(flags.key !== undefined ? { key: flags.key } : {}),
      output: outputMode(flags),
      logLevel: flags['log-level'],
    }, true);
  }
}
