import * as Args from '@oclif/core/args';
import { OfpCommand } from '../base.js';
import { sendFlags, sendOptions } from './send.js';

export default class JobAddCommand extends OfpCommand {
  static override summary = 'Add a command to a distribution job: copy another file to its targets, delete a file from them, or verify their copy of one.';
  static override description = 'The job\'s targets run its commands in order, each once the one before has ended there (§14.8). copy FILE hashes FILE and serves it to the base server, which cascades it to the targets as it did the job\'s first file; delete NAME takes the file out of service at each target at once (its masters told, new viewers refused), lets the streams reading it end, then removes it; verify NAME hashes each target\'s copy against the root of the job\'s copy of it (corrupt when it differs). An ended job the base server still holds runs again. Without --wait it exits once the base server took the command (and, for a copy, holds the file); with --wait it follows the job to its end and exits 1 when a target failed. Needs the cluster key.';
  static override examples = [
    'OFP_KEY="$KEY" <%= config.bin %> job add 2871 copy trailer.ts --base 127.0.0.1:7900',
    'OFP_KEY="$KEY" <%= config.bin %> job add 2871 verify title.ts --base 127.0.0.1:7900 --wait',
    'OFP_KEY="$KEY" <%= config.bin %> job add 2871 delete old.ts --base 127.0.0.1:7900 --wait --json',
  ];

  static override args = {
    job: Args.string({ description: 'The job id (ofp job submit prints it).', required: true }),
    op: Args.string({ description: 'The command.', required: true, options: ['copy', 'delete', 'verify'] }),
    file: Args.string({ description: 'copy: the file to send; delete, verify: the name of the file at the targets.', required: true }),
  };

  static override flags = sendFlags({ prefix: 'copy: ', rate: 'the rate of each transfer, bits/s; the job\'s by default.', wait: 'Follow the job until every target has ended every command.' });

  async run(): Promise<void> {
    const { args, flags } = await this.parse(JobAddCommand);
    const { runJobAdd } = await import('../../src/runtime/job.js');
    process.exitCode = await runJobAdd({
      job: args.job,
      op: args.op,
      file: args.file,
      ...sendOptions(flags),
    });
  }
}
