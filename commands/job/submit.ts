import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { OfpCommand } from '../base.js';
import { sendFlags, sendOptions } from './send.js';

export default class JobSubmitCommand extends OfpCommand {
  static override summary = 'Submit a distribution job: copy FILE to media servers, cascaded by a base server.';
  static override description = 'Hashes FILE (a SHA-256 per 64 KiB block, and of the list), asks the base server for a job, and serves it the file. The base server cascades it to the targets: each passes verified blocks on to others as they arrive, writes the file to a temporary name in its media directory, and puts it into service once whole and verified (§14). Without --wait it exits once the base server holds the file, printing the job id; with --wait it follows the job to its end and exits 1 when a target failed. Needs the cluster key.';
  static override examples = [
    'OFP_KEY="$KEY" <%= config.bin %> job submit movie.ts --base 127.0.0.1:7900 --to 127.0.0.1:5000,127.0.0.1:5001 --wait',
    'OFP_KEY="$KEY" <%= config.bin %> job submit movie.ts --base 10.0.0.9:7900 --to-all --master 10.0.0.1:7700 --rate 20M',
  ];

  static override args = {
    file: Args.string({ description: 'The file to distribute.', required: true }),
  };

  static override flags = {
    ...sendFlags({ prefix: '', rate: 'rate of each transfer, bits/s (so that streams on the servers keep their bandwidth); the base server\'s by default.', wait: 'Follow the job until every target has completed or failed.' }),
    to: Flags.string({ description: 'The target servers, HOST:PORT[,HOST:PORT…] (their addresses, as clients reach them).' }),
    'to-all': Flags.boolean({ description: 'Every server the master (--master) knows.' }),
    'to-group': Flags.string({ description: 'Every server of this group the master (--master) knows.' }),
    master: Flags.string({ description: 'The master to ask for its servers (--to-all, --to-group), HOST:PORT.' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(JobSubmitCommand);
    const { runJobSubmit } = await import('../../src/runtime/job.js');
    process.exitCode = await runJobSubmit({
      file: args.file,
      ...(flags.to !== undefined ? { to: flags.to } : {}),
      ...(flags['to-all'] ? { toAll: true } : {}),
      ...(flags['to-group'] !== undefined ? { toGroup: flags['to-group'] } : {}),
      ...(flags.master !== undefined ? { master: flags.master } : {}),
      ...sendOptions(flags),
    });
  }
}
