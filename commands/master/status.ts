import * as Flags from '@oclif/core/flags';
import { OfpCommand } from '../base.js';
import { json, key, logLevel, masterFlag, outputMode } from '../flags.js';

export default class MasterStatusCommand extends OfpCommand {
  static override summary = 'Show a master\'s servers, their load, its files and sessions.';
  static override description = 'Exits 1 when the master does not answer.';
  static override examples = ['<%= config.bin %> master status --master 127.0.0.1:7700', '<%= config.bin %> master status --master 127.0.0.1:7700 --json'];

  static override flags = {
    master: masterFlag(),
    key,
    attempts: Flags.integer({ description: 'Tries per request before giving up.', default: 3, min: 1, max: 100 }),
    wait: Flags.string({ description: 'Wait for an answer to each try (ms, or with a unit: 1s).', default: '700' }),
    json: json({ stream: false }),
    'log-level': logLevel,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MasterStatusCommand);
    const { runStatus } = await import('../../src/runtime/status.js');
    process.exitCode = await runStatus({
      master: flags.master,
      ...(flags.key !== undefined ? { key: flags.key } : {}),
      attempts: flags.attempts,
      wait: flags.wait,
      output: outputMode(flags),
      logLevel: flags['log-level'],
    });
  }
}
