import * as Flags from '@oclif/core/flags';
import { join } from 'node:path';
import { OfpCommand } from './base.js';
import { PORTAL_POLICIES } from '../src/roles/portal/policies.js';

export default class DemoCommand extends OfpCommand {
  static override summary = 'Run a whole cluster on loopback: a master, three servers, clients; kill a server mid-stream and drain another; check every copy.';
  static override description = 'Needs nothing but this repository. Progress goes to stderr, the summary to stdout. Exit status 0 only when every copy is identical to its original.';
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --ui', '<%= config.bin %> demo --clients 9 --keep', '<%= config.bin %> demo --masters 3 --portal-policy least-loaded', '<%= config.bin %> demo --no-failover --json', '<%= config.bin %> demo --distribute'];

  static override flags = {
    clients: Flags.integer({ description: 'Clients to run.', default: 6, min: 1, max: 32 }),
    masters: Flags.integer({ description: 'Masters: with more than one, a group behind a portal (the clients ask the portal, which refers each to a master in turn); each master is asked what streams it follows and its round trips, then the master supervising the most servers is killed, and its servers are taken over by the others.', default: 1, min: 1, max: 5 }),
    'portal-policy': Flags.string({ description: 'With --masters: how the portal picks the master for each request (ofp portal --policy).', options: [...PORTAL_POLICIES], default: 'round-robin' }),
    failover: Flags.boolean({ description: 'Kill a server mid-stream and drain another (their clients carry on elsewhere, from the same position).', default: true, allowNo: true }),
    distribute: Flags.boolean({ description: 'First bring a new file, which no server holds, to every server with a distribution job (ofp base, ofp job submit): it cascades from server to server; then every client asks for it.' }),
    keep: Flags.boolean({ description: 'Keep the temporary directory (media, copies) and print where it is.' }),
    json: Flags.boolean({ description: 'Print the summary as one JSON document.', exclusive: ['ui'] }),
    ui: Flags.boolean({ description: 'Watch it on the dashboard (ofp dashboard) attached to the demo\'s master. On a terminal the streams last longer, a server is killed after a few seconds, you drain another with d (x kills the selected server), and q ends the demo with its summary; without a terminal, plain status lines on stdout.', exclusive: ['json'] }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DemoCommand);
    const { runDemo } = await import('../src/runtime/demo/demo.js');
    process.exitCode = await runDemo({
      clients: flags.clients,
      masters: flags.masters,
      portalPolicy: flags['portal-policy'],
      keep: flags.keep,
      failover: flags.failover,
      distribute: flags.distribute,
      output: flags.json ? 'json' : 'human',
      ui: flags.ui,
      bin: join(this.config.root, 'bin', 'run.js'),
    });
  }
}
