/**
 * Names from the network reach the terminal escaped (§9.6, src/runtime/termSafe.ts): a server whose
 * media file and group name carry escape sequences (a window title, a screen clear, a bidi
 * override) cannot make `ofp master status` write them raw. `--json` still carries the real names.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupProcesses, runOfp, startMaster, startServer, tempDir } from '../helpers/processes.js';

cleanupProcesses();
const dir = tempDir('ofp-terminal-');
const EVIL_FILE = 'film\x1b]0;pwned\x07\x1b[2J\u202e.ts';
const EVIL_GROUP = 'g\x1b[5mblink';
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('names with escape sequences', () => {
  it('ofp master status prints them escaped; --json gives them as they are', async () => {
    const media = join(dir, 'media');
    mkdirSync(media, { recursive: true });
    writeFileSync(join(media, EVIL_FILE), Buffer.alloc(10_000, 1));
    const master = await startMaster();
    await startServer(master.address, media, ['--group', EVIL_GROUP]);
    const human = await runOfp(['master', 'status', '--master', master.address]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).not.toMatch(CONTROL);
    expect(human.stdout).toContain('film\\x1b]0;pwned\\x07\\x1b[2J\\u{202e}.ts');
    expect(human.stdout).toContain('g\\x1b[5mblink');
    const json = await runOfp(['master', 'status', '--master', master.address, '--json']);
    const doc = JSON.parse(json.stdout) as { files: { file: string }[]; servers: { group: string }[] };
    expect(doc.files.map((f) => f.file)).toContain(EVIL_FILE);
    expect(doc.servers.map((s) => s.group)).toContain(EVIL_GROUP);
    // The dashboard (plain lines here: no terminal) shows what its store holds: escaped too.
    const dash = await runOfp(['dashboard', '--master', master.address, '--refresh', '200', '--duration', '1']);
    expect(dash.code, dash.stderr).toBe(0);
    expect(dash.stdout.length).toBeGreaterThan(0);
    expect(dash.stdout).not.toMatch(CONTROL);
  });
});
