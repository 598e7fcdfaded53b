import * as Flags from '@oclif/core/flags';
import { OfpCommand } from '../base.js';
import { controlFlags, outputMode } from '../flags.js';

export default class MasterSuperviseCommand extends OfpCommand {
  static override summary = 'Place a server\'s supervision on a master of the group: it orders the handoffs of that server\'s streams.';
  static override description = 'In a group of masters (ofp master --peers), one master supervises each server: by default the first live member in the server\'s rendezvous order. This pins it to --to instead (default: the master asked), for as long as that master lives; the server takes the order from any of its masters. `ofp master status` shows each server\'s supervisor. Exit status: 0 when the master passed the order on, 1 when it refused (no group, unknown server, --to not a live member) or did not answer.';
  static override examples = ['<%= config.bin %> master supervise --master 127.0.0.1:7700 --server 127.0.0.1:7701 --to 127.0.0.1:7710'];

  static override flags = {
    ...controlFlags(),
    server: Flags.string({ description: 'The server, HOST:PORT, as the masters know it (its name).', required: true }),
    to: Flags.string({ description: 'The master to supervise it, HOST:PORT, as the group knows it (default: the master asked).' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MasterSuperviseCommand);
    const { runSupervise } = await import('../../src/runtime/control.js');
    process.exitCode = await runSupervise({
      master: flags.master,
      server: flags.server,
      ...(flags.to !== undefined ? { to: flags.to } : {}),
      ...(flags.key !== undefined ? { key: flags.key } : {}),
      attempts: flags.attempts,
      wait: flags.wait,
      output: outputMode(flags),
      logLevel: flags['log-level'],
    });
  }
}
