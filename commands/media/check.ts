import { Args, Flags } from '@oclif/core';
import { runMediaCheck } from '../../src/runtime/media.js';
import type { LogLevel } from '../../src/runtime/output.js';
import { OfpCommand } from '../base.js';
import { json, logLevel, outputMode } from '../flags.js';

export default class MediaCheckCommand extends OfpCommand {
  static override summary = 'Check that a file is an intact synthetic media file; name the first wrong byte if not.';
  static override description = 'Exit status 0 when intact, 1 when not. A copy keeps the name of its original: pass it with --name.';
  static override examples = ['<%= config.bin %> media check movie.copy.ts --name movie.ts'];

  static override args = {
    file: Args.string({ description: 'The file to check.', required: true }),
  };

  static override flags = {
    name: Flags.string({ description: 'The synthetic file\'s name (default: the file\'s own name).', env: 'OFP_MEDIA_NAME' }),
    json: json('MEDIA'),
    'log-level': logLevel,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MediaCheckCommand);
    process.exitCode = runMediaCheck({
      file: args.file,
      ...(flags.name ? { name: flags.name } : {}),
      output: outputMode(flags),
      logLevel: flags['log-level'] as LogLevel,
    });
  }
}
