import { Args, Flags } from '@oclif/core';
import { runMediaMake } from '../../src/runtime/media.js';
import type { LogLevel } from '../../src/runtime/output.js';
import { OfpCommand } from '../base.js';
import { json, logLevel, outputMode } from '../flags.js';

export default class MediaMakeCommand extends OfpCommand {
  static override summary = 'Make a synthetic media file whose bytes encode their own offset, and its sidecar.';
  static override description = 'Size = duration × bitrate / 8. Any gap, duplicate or reordering in a copy shows at the exact byte (ofp media check).';
  static override examples = ['<%= config.bin %> media make movie.ts --duration 10 --bitrate 4M --out ./media'];

  static override args = {
    name: Args.string({ description: 'File name (the name clients ask for).', required: true }),
  };

  static override flags = {
    duration: Flags.string({ description: 'Play time, seconds (or with a unit: 500ms, 2m).', default: '10', env: 'OFP_MEDIA_DURATION' }),
    bitrate: Flags.string({ description: 'Bitrate, bits/s (4M, 4000k, 4000000).', default: '4M', env: 'OFP_MEDIA_BITRATE' }),
    out: Flags.string({ description: 'Directory to write into (created if missing).', default: '.', env: 'OFP_MEDIA_OUT' }),
    force: Flags.boolean({ description: 'Replace the file when it exists.', env: 'OFP_MEDIA_FORCE' }),
    json: json('MEDIA'),
    'log-level': logLevel,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MediaMakeCommand);
    process.exitCode = runMediaMake({
      name: args.name,
      duration: flags.duration,
      bitrate: flags.bitrate,
      out: flags.out,
      force: flags.force,
      output: outputMode(flags),
      logLevel: flags['log-level'] as LogLevel,
    });
  }
}
