import * as Flags from '@oclif/core/flags';
import { OfpCommand } from './base.js';
import { key, masterFlag } from './flags.js';

export default class DashboardCommand extends OfpCommand {
  static override summary = 'Watch a master live in the terminal: servers, sessions, events; drain a server or hand a stream off with a key.';
  static override description = 'Reads the master through the protocol (status pages every --refresh, and its notices), authenticated with the cluster key when there is one. Keys: tab moves focus, arrows select, / filters, d drains the selected server, h hands the selected stream off, p pauses updates, ? shows help, q quits; --read-only disables d and h. When stdout is not a terminal, or CI is set, it prints a plain status line at each refresh (and each event as a line) until Ctrl-C, SIGTERM or --duration. A master that stops answering is shown unreachable until it is back. Exit status: 0, or 2 for a usage error.';
  static override examples = [
    '<%= config.bin %> dashboard --master 127.0.0.1:7700',
    '<%= config.bin %> dashboard --master 127.0.0.1:7700 --read-only --refresh 500',
    '<%= config.bin %> dashboard --master 127.0.0.1:7700 --duration 30 > status.log',
    'OFP_KEY="$KEY" <%= config.bin %> dashboard --master 127.0.0.1:7700 --base 127.0.0.1:7900',
  ];

  static override flags = {
    master: masterFlag(),
    key,
    base: Flags.string({ description: 'A base server, HOST:PORT: a jobs pane shows its distribution jobs, each target\'s state and progress, and the cascade\'s tree (which target got the file from which). Needs the cluster key.' }),
    refresh: Flags.string({ description: 'How often the master\'s tables are read (ms, or with a unit: 1s); 100 ms to 60 s.', default: '1000' }),
    'read-only': Flags.boolean({ description: 'Watch only: the keys that act (drain, handoff) are disabled.' }),
    duration: Flags.string({ description: 'Plain output: stop after this long (seconds, or with a unit: 500ms, 2m); default: until Ctrl-C.' }),
    'json-stream': Flags.boolean({ description: 'Plain output as one JSON object per line, {"event","t","data"}: `status` at each refresh, and each event by its kind.', helpGroup: 'OUTPUT' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DashboardCommand);
    const { runDashboardCommand } = await import('../src/runtime/dashboard/command.js');
    process.exitCode = await runDashboardCommand({
      master: flags.master,
      ...(flags.key !== undefined ? { key: flags.key } : {}),
      ...(flags.base !== undefined ? { base: flags.base } : {}),
      refresh: flags.refresh,
      readOnly: flags['read-only'],
      ...(flags.duration !== undefined ? { duration: flags.duration } : {}),
      jsonStream: flags['json-stream'],
    });
  }
}
