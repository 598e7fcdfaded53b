import * as Flags from '@oclif/core/flags';
import { OfpCommand } from '../base.js';

export default class TestbedListCommand extends OfpCommand {
  static override summary = 'List the bundled testbed scenarios: name, one-line description, tags.';
  static override description = 'Scenarios tagged `short` also run in real mode in the test suite; `scale` ones are left out of the default matrix. Run one with ofp testbed run NAME.';
  static override examples = ['<%= config.bin %> testbed list', '<%= config.bin %> testbed list --json'];

  static override flags = {
    json: Flags.boolean({ description: 'Print the list as one JSON document: [{name, description, tags, file}].', helpGroup: 'OUTPUT' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TestbedListCommand);
    const { testbedList } = await import('../../testbed/cli/list.js');
    process.exitCode = testbedList({ json: flags.json });
  }
}
