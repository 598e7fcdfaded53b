import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { OfpCommand } from '../base.js';
import { json, jsonStream, key, logLevel, outputMode } from '../flags.js';

export default class JobStatusCommand extends OfpCommand {
  static override summary = "Show a distribution job's state, target by target, as its base server holds it.";
  static override description = 'Exits 1 when the base server does not answer or holds no such job. Needs the cluster key.';
  static override examples = ['OFP_KEY="$KEY" <%= config.bin %> job status 2871 --base 127.0.0.1:7900', 'OFP_KEY="$KEY" <%= config.bin %> job status 2871 --base 127.0.0.1:7900 --json'];

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
    const { args, flags } = await this.parse(JobStatusCommand);
    const { runJobFollow } = await import('../../src/runtime/job.js');
    process.exitCode = await runJobFollow({
      job: args.job,
      base: flags.base,
      ...(flags.key !== undefined ? { key: flags.key } : {}),
      output: outputMode(flags),
      logLevel: flags['log-level'],
    }, false);
  }
}
