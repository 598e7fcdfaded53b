import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { OfpCommand } from '../base.js';
import { json, logLevel, outputMode } from '../flags.js';

export default class MediaCheckCommand extends OfpCommand {
  static override summary = 'Check that a file is an intact synthetic media file; name the first wrong byte if not.';
  static override description = 'Exit status 0 when intact, 1 when not (a wrong byte, or bytes missing or too many). The whole size comes from the file\'s sidecar; a copy has none: pass --original (the file it copies, which also gives the name) or --size.';
  static override examples = ['<%= config.bin %> media check media/movie.ts', '<%= config.bin %> media check movie.copy.ts --original media/movie.ts', '<%= config.bin %> media check movie.copy.ts --name movie.ts --size 15000000'];

  static override args = {
    file: Args.string({ description: 'The file to check.', required: true }),
  };

  static override flags = {
    name: Flags.string({ description: 'The synthetic file\'s name (default: the file\'s own name, or --original\'s).' }),
    original: Flags.string({ description: 'The file this one copies: its name and whole size (from its sidecar, or its length). Needed for a copy, which has no sidecar of its own.' }),
    size: Flags.string({ description: 'The whole size the file should have, in bytes (instead of --original).' }),
    json: json({ stream: false }),
    'log-level': logLevel,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MediaCheckCommand);
    const { runMediaCheck } = await import('../../src/runtime/media.js');
    process.exitCode = runMediaCheck({
      file: args.file,
      ...(flags.name ? { name: flags.name } : {}),
      ...(flags.original !== undefined ? { original: flags.original } : {}),
      ...(flags.size !== undefined ? { size: flags.size } : {}),
      output: outputMode(flags),
      logLevel: flags['log-level'],
    });
  }
}
