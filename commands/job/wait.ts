import { OfpCommand } from '../base.js';
import { followArgs, followFlags, runFollow } from './follow.js';

export default class JobWaitCommand extends OfpCommand {
  static override summary = "Wait for a distribution job to end: every target completed, or some failed.";
  static override description = 'Follows the job at its base server until every target has completed (exit 0) or some failed (exit 1, with the failures), then prints the state of every target. Needs the cluster key.';
  static override examples = ['OFP_KEY="$KEY" <%= config.bin %> job wait 2871 --base 127.0.0.1:7900', 'OFP_KEY="$KEY" <%= config.bin %> job wait 2871 --base 127.0.0.1:7900 --json'];
  static override args = followArgs;
  static override flags = { ...followFlags };

  async run(): Promise<void> {
    process.exitCode = await runFollow(await this.parse(JobWaitCommand), true);
  }
}
