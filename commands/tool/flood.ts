import * as Flags from '@oclif/core/flags';
import { FLOOD_KIND_DOCS, FLOOD_KINDS, FLOOD_MAX_DURATION, FLOOD_MAX_RATE } from '../../src/runtime/flood/catalog.js';
import { OfpCommand } from '../base.js';
import { json, jsonStream, logLevel, outputMode } from '../flags.js';

export default class ToolFloodCommand extends OfpCommand {
  static override summary = 'Flood a role on this host with hostile datagrams, for a bounded time, and measure what it answers.';
  static override description = [
    `Sends one kind of datagram to --target at --rate datagrams per second (at most ${FLOOD_MAX_RATE}) for --duration (at most ${FLOOD_MAX_DURATION / 1000} s), then stops and prints what it sent, what came back, and the amplification: bytes received ÷ bytes sent. It holds no cluster key. The target must be on loopback (127.0.0.0/8 or ::1): any other is refused with exit status 2.`,
    'Kinds:',
    ...FLOOD_KINDS.map((k) => `  ${k}: ${FLOOD_KIND_DOCS[k]}`),
    'Run the role under test with --rate-limit on to see its per-source limit at work (rate-limited events).',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> tool flood --target 127.0.0.1:7700 --kind random --rate 5000 --duration 3',
    '<%= config.bin %> tool flood --target 127.0.0.1:7700 --kind request --file movie.ts --rate 2000 --duration 5 --json',
  ];

  static override flags = {
    target: Flags.string({ description: 'The role to flood, HOST:PORT on loopback.', required: true }),
    kind: Flags.string({ description: 'What to send.', options: [...FLOOD_KINDS], default: 'random' }),
    rate: Flags.string({ description: `Datagrams per second, 1 to ${FLOOD_MAX_RATE}.`, default: '1000' }),
    duration: Flags.string({ description: `How long to send (s, or with a unit: 500ms), at most ${FLOOD_MAX_DURATION / 1000} s.`, default: '3' }),
    file: Flags.string({ description: 'The file that requests name (kinds request, replay, truncated).', default: 'movie.ts' }),
    seed: Flags.string({ description: 'Seed of the datagrams sent (default: a random one, printed in the summary).' }),
    json: json(),
    'json-stream': jsonStream(),
    'log-level': logLevel,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ToolFloodCommand);
    const { runFloodCommand } = await import('../../src/runtime/flood/command.js');
    process.exitCode = await runFloodCommand({
      target: flags.target,
      kind: flags.kind,
      rate: flags.rate,
      duration: flags.duration,
      file: flags.file,
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      output: outputMode(flags),
      logLevel: flags['log-level'],
    });
  }
}
