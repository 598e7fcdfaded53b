import { Flags } from '@oclif/core';
import { runDashboardCommand } from '../src/runtime/dashboard/command.js';
import { OfpCommand } from './base.js';
import { key } from './flags.js';

export default class DashboardCommand extends OfpCommand {
  static override summary = 'Watch a master live in the terminal: servers, sessions, events; drain a server or hand a stream off with a key.';
  static override description = 'Reads the master through the protocol (status pages every --refresh, and its notices), authenticated with the cluster key when there is one. Keys: tab moves focus, arrows select, / filters, d drains the selected server, h hands the selected stream off, p pauses updates, ? shows help, q quits; --read-only disables d and h. When stdout is not a terminal, or CI is set, it prints a plain status line at each refresh (and each event as a line) until Ctrl-C, SIGTERM or --duration. A master that stops answering is shown unreachable until it is back. Exit status: 0, or 2 for a usage error.';
  static override examples = [
    '<%= config.bin %> dashboard --master 127.0.0.1:7700',
    '<%= config.bin %> dashboard --master 127.0.0.1:7700 --read-only --refresh 500',
    '<%= config.bin %> dashboard --master 127.0.0.1:7700 --duration 30 > status.log',
  ];

  static override flags = {
    master: Flags.string({ description: 'The master, HOST:PORT.', default: '127.0.0.1:7700', env: 'OFP_DASHBOARD_MASTER' }),
    key,
    refresh: Flags.string({ description: 'How often the master\'s tables are read (ms, or with a unit: 1s); 100 ms to 60 s.', default: '1000', env: 'OFP_DASHBOARD_REFRESH' }),
    'read-only': Flags.boolean({ description: 'Watch only: the keys that act (drain, handoff) are disabled.', env: 'OFP_DASHBOARD_READ_ONLY' }),
    duration: Flags.string({ description: 'Plain output: stop after this long (seconds, or with a unit: 500ms, 2m); default: until Ctrl-C.', env: 'OFP_DASHBOARD_DURATION' }),
    'json-stream': Flags.boolean({ description: 'Plain output as one JSON object per line, {"event","t","data"}: `status` at each refresh, and each event by its kind.', env: 'OFP_DASHBOARD_JSON_STREAM', helpGroup: 'OUTPUT' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DashboardCommand);
    process.exitCode = await runDashboardCommand({
      master: flags.master,
      ...(flags.key ? { key: flags.key } : {}),
      refresh: flags.refresh,
      readOnly: flags['read-only'],
      ...(flags.duration !== undefined ? { duration: flags.duration } : {}),
      jsonStream: flags['json-stream'],
    });
  }
}
