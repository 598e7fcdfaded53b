import { OfpCommand } from '../base.js';
import { followArgs, followFlags, runFollow } from './follow.js';

export default class JobStatusCommand extends OfpCommand {
  static override summary = "Show a distribution job's state, target by target, as its base server holds it.";
  static override description = 'Exits 1 when the base server does not answer or holds no such job. Needs the cluster key.';
  static override examples = ['OFP_KEY="$KEY" <%= config.bin %> job status 2871 --base 127.0.0.1:7900', 'OFP_KEY="$KEY" <%= config.bin %> job status 2871 --base 127.0.0.1:7900 --json'];
  static override args = followArgs;
  static override flags = { ...followFlags };

  async run(): Promise<void> {
    process.exitCode = await runFollow(await this.parse(JobStatusCommand), false);
  }
}
