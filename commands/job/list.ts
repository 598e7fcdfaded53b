import * as Flags from '@oclif/core/flags';
import { OfpCommand } from '../base.js';
import { json, key, logLevel, outputMode } from '../flags.js';

export default class JobListCommand extends OfpCommand {
  static override summary = 'List the distribution jobs a base server holds: each one\'s file, state and progress.';
  static override description = 'One row per job, oldest first: its id, file, size, state, targets in all, completed and failed, the share of the bytes its targets hold, and its age (§14.6). Exits 1 when the base server does not answer. Needs the cluster key.';
  static override examples = ['OFP_KEY="$KEY" <%= config.bin %> job list --base 127.0.0.1:7900', 'OFP_KEY="$KEY" <%= config.bin %> job list --base 127.0.0.1:7900 --json'];

  static override flags = {
    base: Flags.string({ description: 'The base server, HOST:PORT.', default: '127.0.0.1:7900' }),
    key,
    json: json({ stream: false }),
    'log-level': logLevel,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(JobListCommand);
    const { runJobList } = await import('../../src/runtime/job.js');
    process.exitCode = await runJobList({
      base: flags.base,
      ...(flags.key !== undefined ? { key: flags.key } : {}),
      output: outputMode(flags),
      logLevel: flags['log-level'],
    });
  }
}
