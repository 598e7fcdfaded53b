import * as Flags from '@oclif/core/flags';
import { OfpCommand } from '../base.js';
import { controlFlags, outputMode } from '../flags.js';

export default class ServerDrainCommand extends OfpCommand {
  static override summary = 'Drain a server through its master: every stream it serves moves to another server at the same position, then it leaves.';
  static override description = 'The server marks its data with the change indicator, the master establishes each stream on another server and the client switches over; the server stops once no stream is left (at most 15 s) and its process exits. Exit status: 0 when the master passed the order on, 1 when it refused (unknown server) or did not answer.';
  static override examples = ['<%= config.bin %> server drain --master 127.0.0.1:7700 --server 127.0.0.1:7701'];

  static override flags = {
    ...controlFlags(),
    server: Flags.string({ description: 'The server to drain, HOST:PORT, as the master knows it (its name).', required: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ServerDrainCommand);
    const { runDrain } = await import('../../src/runtime/control.js');
    process.exitCode = await runDrain({
      master: flags.master,
      server: flags.server,
      ...(flags.key !== undefined ? { key: flags.key } : {}),
      attempts: flags.attempts,
      wait: flags.wait,
      output: outputMode(flags),
      logLevel: flags['log-level'],
    });
  }
}
