import * as Flags from '@oclif/core/flags';
import { OfpCommand } from '../base.js';
import { controlFlags, outputMode } from '../flags.js';

export default class ServerOverloadCommand extends OfpCommand {
  static override summary = 'Set a server\'s capacity through its master; a server streaming more than that is overloaded and the master moves streams away.';
  static override description = 'The newest streams move first, each at the same position, until the server fits its capacity. Raise the capacity again the same way. Exit status: 0 when the master passed the order on, 1 when it refused (unknown server) or did not answer.';
  static override examples = ['<%= config.bin %> server overload --master 127.0.0.1:7700 --server 127.0.0.1:7701 --capacity 1M'];

  static override flags = {
    ...controlFlags(),
    server: Flags.string({ description: 'The server, HOST:PORT, as the master knows it (its name).', required: true }),
    capacity: Flags.string({ description: 'The server\'s new capacity, bits/s (1M, 400M, 1G).', required: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ServerOverloadCommand);
    const { runOverload } = await import('../../src/runtime/control.js');
    process.exitCode = await runOverload({
      master: flags.master,
      server: flags.server,
      capacity: flags.capacity,
      ...(flags.key !== undefined ? { key: flags.key } : {}),
      attempts: flags.attempts,
      wait: flags.wait,
      output: outputMode(flags),
      logLevel: flags['log-level'],
    });
  }
}
