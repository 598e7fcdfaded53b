import * as Flags from '@oclif/core/flags';
import { OfpCommand } from '../base.js';
import { controlFlags, outputMode } from '../flags.js';

export default class MasterHandoffCommand extends OfpCommand {
  static override summary = 'Move one stream to another server, at the same position.';
  static override description = 'The stream id is in the client\'s `setup` or `redirected` event (--json-stream) and in `ofp master status`. Without --to the master chooses the server. Exit status: 0 when the handoff started, 1 when the master refused (unknown stream or server, no server can take it) or did not answer.';
  static override examples = ['<%= config.bin %> master handoff --master 127.0.0.1:7700 --stream 505256053', '<%= config.bin %> master handoff --master 127.0.0.1:7700 --stream 505256053 --to 127.0.0.1:7702'];

  static override flags = {
    ...controlFlags(),
    stream: Flags.string({ description: 'The stream id.', required: true }),
    to: Flags.string({ description: 'The server to move it to, HOST:PORT (default: the master chooses).' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MasterHandoffCommand);
    const { runHandoff } = await import('../../src/runtime/control.js');
    process.exitCode = await runHandoff({
      master: flags.master,
      stream: flags.stream,
      ...(flags.to !== undefined ? { to: flags.to } : {}),
      ...(flags.key !== undefined ? { key: flags.key } : {}),
      attempts: flags.attempts,
      wait: flags.wait,
      output: outputMode(flags),
      logLevel: flags['log-level'],
    });
  }
}
