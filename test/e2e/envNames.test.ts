/** Every flag can be set from the environment as OFP_<COMMAND WORDS>_<FLAG>, one rule for every command (README). */
import { describe, expect, it } from 'vitest';
import { COMMANDS, envName } from '../../commands/cli.js';
import { runOfp } from '../helpers/processes.js';

describe('environment variables', () => {
  it('are named OFP_<COMMAND>_<FLAG> for every flag of every command, except the shared key and log level', () => {
    const seen = new Map<string, string>();
    for (const [id, command] of Object.entries(COMMANDS)) {
      for (const [flag, def] of Object.entries(command.flags ?? {})) {
        const env = (def as { env?: string }).env;
        const want = flag === 'key' ? 'OFP_KEY' : flag === 'log-level' ? 'OFP_LOG_LEVEL' : `OFP_${id.split(':').join('_')}_${flag}`.replace(/-/g, '_').toUpperCase();
        expect(env, `${id} --${flag}`).toBe(want);
        expect(envName(id, flag)).toBe(want);
        if (want !== 'OFP_KEY' && want !== 'OFP_LOG_LEVEL') {
          expect(seen.get(want), `${want} names two flags`).toBeUndefined();
          seen.set(want, `${id} --${flag}`);
        }
      }
    }
    expect(seen.get('OFP_MASTER_STATUS_WAIT')).toBe('master:status --wait');
    expect(seen.get('OFP_SERVER_DRAIN_SERVER')).toBe('server:drain --server');
    expect(seen.get('OFP_CLIENT_GET_RATE_SCHEDULE')).toBe('client:get --rate-schedule');
  });

  it('a flag set in the environment is read as if typed', async () => {
    const r = await runOfp(['master', '--port', '0'], { env: { OFP_MASTER_POLICY: 'cheapest' }, timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error usage: .*cheapest/);
  });
});
