import { describe, expect, it } from 'vitest';
import { localBindHost, resolveEndpoint, resolveEndpoints, resolveHost } from '../../src/runtime/resolve.js';

describe('resolve', () => {
  it('turns HOST:PORT into the numeric address the cores compare', async () => {
    expect(await resolveEndpoint('127.0.0.1:7700', '--master')).toMatchObject({ host: '127.0.0.1', port: 7700, family: 4, address: '127.0.0.1:7700' });
    expect(await resolveEndpoint('[::1]:7700', '--master')).toMatchObject({ host: '::1', family: 6, address: '[::1]:7700' });
    expect((await resolveEndpoint('localhost:7700', '--master', 4)).address).toBe('127.0.0.1:7700');
  });

  it('names the flag and the value when it cannot', async () => {
    await expect(resolveEndpoint('127.0.0.1', '--master')).rejects.toThrow(/--master "127\.0\.0\.1" is not HOST:PORT/);
    await expect(resolveEndpoint('127.0.0.1:0', '--master')).rejects.toThrow(/port 1-65535/);
    await expect(resolveEndpoint('::1:7700', '--master')).rejects.toThrow(/\[::1\]:7700/);
    await expect(resolveEndpoints('127.0.0.1:1,[::1]:2', '--master')).rejects.toThrow(/one family/);
    await expect(resolveEndpoints(' , ', '--master')).rejects.toThrow(/empty/);
    await expect(resolveHost('no-such-host.invalid', '--host')).rejects.toMatchObject({ code: 'unresolvable-host' });
  });

  it('sends from loopback when every peer is on loopback', () => {
    expect(localBindHost([{ host: '127.0.0.1', family: 4 }])).toBe('127.0.0.1');
    expect(localBindHost([{ host: '::1', family: 6 }])).toBe('::1');
    expect(localBindHost([{ host: '127.0.0.1', family: 4 }, { host: '10.0.0.1', family: 4 }])).toBe('0.0.0.0');
  });
});
