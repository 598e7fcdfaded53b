import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { DEFAULT_BITRATE } from '../../src/media/synthetic.js';
import { OfpCommand } from '../base.js';
import { json, logLevel, outputMode } from '../flags.js';

export default class MediaMakeCommand extends OfpCommand {
  static override summary = 'Make a synthetic media file whose bytes encode their own offset, and its sidecar; or, with --flows, an item of several flows.';
  static override description = 'Size = duration × bitrate / 8. Any gap, duplicate or reordering in a copy shows at the exact byte (ofp media check). With --flows video:4M,audio:128k it makes one file per flow (NAME.video, NAME.audio, each with its sidecar) and the manifest NAME.ofp-item.json that makes them one item NAME, streamed together.';
  static override examples = ['<%= config.bin %> media make movie.ts --duration 10 --bitrate 4M --out ./media', '<%= config.bin %> media make concert --duration 30 --flows video:4M,audio:128k --out ./media'];

  static override args = {
    name: Args.string({ description: 'File name (the name clients ask for).', required: true }),
  };

  static override flags = {
    duration: Flags.string({ description: 'Play time, seconds (or with a unit: 500ms, 2m).', default: '10' }),
    bitrate: Flags.string({ description: `Bitrate, bits/s (4M, 4000k, 4000000) [default: ${DEFAULT_BITRATE}].` }),
    flows: Flags.string({ description: 'Make an item of several flows instead: NAME:RATE for each (2 to 4), like video:4M,audio:128k.' }),
    out: Flags.string({ description: 'Directory to write into (created if missing).', default: '.' }),
    force: Flags.boolean({ description: 'Replace the file when it exists.' }),
    json: json({ stream: false }),
    'log-level': logLevel,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MediaMakeCommand);
    const { runMediaMake } = await import('../../src/runtime/media.js');
    process.exitCode = runMediaMake({
      name: args.name,
      duration: flags.duration,
      ...(flags.bitrate !== undefined ? { bitrate: flags.bitrate } : {}),
      ...(flags.flows !== undefined ? { flows: flags.flows } : {}),
      out: flags.out,
      force: flags.force,
      output: outputMode(flags),
      logLevel: flags['log-level'],
    });
  }
}
