import { Flags } from '@oclif/core';
import type { LogLevel } from '../../src/runtime/output.js';
import { runStatus } from '../../src/runtime/status.js';
import { OfpCommand } from '../base.js';
import { json, key, logLevel, outputMode } from '../flags.js';

export default class MasterStatusCommand extends OfpCommand {
  static override summary = 'Show a master\'s servers, their load, its files and sessions.';
  static override description = 'Exits 1 when the master does not answer.';
  static override examples = ['<%= config.bin %> master status --master 127.0.0.1:7700', '<%= config.bin %> master status --master 127.0.0.1:7700 --json'];

  static override flags = {
    master: Flags.string({ description: 'The master, HOST:PORT.', default: '127.0.0.1:7700', env: 'OFP_STATUS_MASTER' }),
    key,
    attempts: Flags.integer({ description: 'Tries per request before giving up.', default: 3, min: 1, max: 100, env: 'OFP_STATUS_ATTEMPTS' }),
    wait: Flags.string({ description: 'Wait for an answer to each try (ms, or with a unit: 1s).', default: '700', env: 'OFP_STATUS_WAIT' }),
    json: json('STATUS'),
    'log-level': logLevel,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MasterStatusCommand);
    process.exitCode = await runStatus({
      master: flags.master,
      ...(flags.key ? { key: flags.key } : {}),
      attempts: flags.attempts,
      wait: flags.wait,
      output: outputMode(flags),
      logLevel: flags['log-level'] as LogLevel,
    });
  }
}
