import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { OfpCommand } from '../base.js';
import { json, jsonStream, key, logLevel, outputMode } from '../flags.js';

export default class JobAddCommand extends OfpCommand {
  static override summary = 'Add a command to a distribution job: copy another file to its targets, delete a file from them, or verify their copy of one.';
  static override description = 'The job\'s targets run its commands in order, each once the one before has ended there (§14.8). copy FILE hashes FILE and serves it to the base server, which cascades it to the targets as it did the job\'s first file; delete NAME takes the file out of service at each target once no stream reads it, removes it and tells the target\'s masters; verify NAME hashes each target\'s copy against the root of the job\'s copy of it (corrupt when it differs). An ended job the base server still holds runs again. Without --wait it exits once the base server took the command (and, for a copy, holds the file); with --wait it follows the job to its end and exits 1 when a target failed. Needs the cluster key.';
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

  static override flags = {
    base: Flags.string({ description: 'The base server, HOST:PORT.', default: '127.0.0.1:7900' }),
    as: Flags.string({ description: 'copy: the name at the targets (a plain file name); FILE\'s own name by default.' }),
    rate: Flags.string({ description: 'copy: the rate of each transfer, bits/s; the job\'s by default.' }),
    'media-rate': Flags.string({ description: 'copy: the bitrate the servers stream the file at, bits/s; FILE\'s sidecar (FILE.ofp.json) by default, else each server\'s --default-rate.' }),
    wait: Flags.boolean({ description: 'Follow the job until every target has ended every command.' }),
    key,
    json: json(),
    'json-stream': jsonStream(),
    'log-level': logLevel,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(JobAddCommand);
    const { runJobAdd } = await import('../../src/runtime/job.js');
    process.exitCode = await runJobAdd({
      job: args.job,
      op: args.op,
      file: args.file,
      base: flags.base,
      ...(flags.as !== undefined ? { as: flags.as } : {}),
      ...(flags.rate !== undefined ? { rate: flags.rate } : {}),
      ...(flags['media-rate'] !== undefined ? { mediaRate: flags['media-rate'] } : {}),
      wait: flags.wait,
      ...(flags.key !== undefined ? { key: flags.key } : {}),
      output: outputMode(flags),
      logLevel: flags['log-level'],
    });
  }
}
