/**
 * How `ofp` starts (bin/run.js, dist/ofp.cjs):
 *  - a command loads only what it runs: what `--version` and `--help`
 *    evaluate holds no role, no dashboard, no testbed and no codec; a role
 *    never loads ink, React, yaml or the testbed (read from the bundle's
 *    import graph, then checked in real processes);
 *  - V8's code cache: kept after a first run, taken as it is by the next,
 *    and written again when it is damaged, with the command's output the same.
 * How fast it starts is the benchmark's (npm run bench -- --only startup).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, cleanupProcesses, runOfp, tempDir } from '../helpers/processes.js';

cleanupProcesses();
const dir = tempDir('ofp-startup-');
const root = fileURLToPath(new URL('../..', import.meta.url));

interface Input {
  readonly imports: readonly { readonly path: string; readonly kind: string; readonly external?: boolean }[];
}
const meta = JSON.parse(readFileSync(join(root, 'dist', 'bundle-meta.json'), 'utf8')) as { cli: { inputs: Record<string, Input> } };

/** Every module that evaluating `entry` evaluates: its static imports, not its dynamic ones. */
function eager(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const at = todo.pop()!;
    if (seen.has(at)) continue;
    seen.add(at);
    const input = meta.cli.inputs[at];
    if (!input) throw new Error(`${at} is not in the bundle`);
    for (const i of input.imports) {
      if (i.kind === 'dynamic-import') continue;
      if (i.external) seen.add(`external:${i.path}`);
      else todo.push(i.path);
    }
  }
  return seen;
}

const HEAVY = /^external:(ink|react|yaml)\b|^src\/ui\/|^testbed\/(sim|real|cli|scenario)\//;
/** Light files in heavy folders: the testbed's flag vocabulary, whose defaults `--help` shows. */
const TESTBED_FLAGS = ['testbed/cli/flags.ts', 'testbed/sim/traceRecorder.ts'];

describe('a command loads only what it runs', () => {
  it('--version and --help evaluate the commands and their flags, and nothing they run', () => {
    const modules = [...eager('commands/cli.ts')].filter((m) => !m.startsWith('node_modules/') && !m.startsWith('external:node:'));
    // The flags' vocabulary (names, defaults, limits) is all that --help takes from the rest of ofp.
    const outside = modules.filter((m) => !m.startsWith('commands/') && !/^external:[a-z]+$/.test(m)).sort();
    expect(outside).toEqual([
      'src/errors.ts',
      'src/media/synthetic.ts',
      'src/protocol/constants.ts',
      'src/roles/master/selection.ts',
      'src/roles/portal/policies.ts',
      'src/runtime/clock.ts',
      'src/runtime/dashboard/loadUi.ts',
      'src/runtime/defaults.ts',
      'src/runtime/errorLine.ts',
      'src/runtime/flood/catalog.ts',
      'src/runtime/output.ts',
      'src/runtime/started.ts',
      'src/runtime/termSafe.ts',
      'src/text/nearest.ts',
      ...TESTBED_FLAGS,
    ]);
    for (const m of modules) if (!TESTBED_FLAGS.includes(m)) expect(m).not.toMatch(HEAVY);
    expect(modules.some((m) => m.includes('msgpackr') || m.includes('dgram-as-promised'))).toBe(false);
  });

  it('the roles load the codec and the socket, and never ink, React, yaml, the dashboard or the testbed', () => {
    for (const entry of ['src/runtime/master.ts', 'src/runtime/server.ts', 'src/runtime/get.ts']) {
      const modules = [...eager(entry)];
      expect(modules, entry).toContain('src/protocol/codec.ts');
      expect(modules.some((m) => m.includes('dgram-as-promised')), entry).toBe(true);
      for (const m of modules) expect(m, entry).not.toMatch(HEAVY);
    }
  });

  it('a running master and a --help have loaded no ink, React or yaml from node_modules', async () => {
    // A preload that lists, at exit, every CommonJS module the process loaded (React is one; ink
    // would load it; yaml is one).
    const preload = join(dir, 'list-modules.cjs');
    const listed = (name: string) => join(dir, `${name}.json`);
    writeFileSync(preload, "process.on('exit', () => require('node:fs').writeFileSync(process.env.OFP_TEST_MODULES, JSON.stringify(Object.keys(require.cache))));\n");
    const run = (name: string, args: readonly string[], untilListening: boolean) =>
      new Promise<string[]>((resolve, reject) => {
        const p = spawn(process.execPath, ['--require', preload, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OFP_TEST_MODULES: listed(name) } });
        let out = '';
        let stopped = false;
        const timer = setTimeout(() => p.kill('SIGKILL'), 20_000); // a start on a busy 2-core machine takes well under 1 s
        p.stdout.setEncoding('utf8').on('data', (s: string) => {
          out += s;
          if (untilListening && !stopped && out.includes('"listening"')) {
            stopped = true;
            p.kill('SIGTERM');
          }
        });
        p.on('close', () => {
          clearTimeout(timer);
          try {
            resolve(JSON.parse(readFileSync(listed(name), 'utf8')) as string[]);
          } catch (e) {
            reject(new Error(`ofp ${args.join(' ')} listed no modules (${String(e)}); stdout: ${out}`));
          }
        });
      });
    const master = await run('master', ['master', '--port', '0', '--json-stream'], true);
    const help = await run('help', ['master', '--help'], false);
    for (const [what, modules] of [['ofp master', master], ['ofp master --help', help]] as const) {
      expect(modules.some((m) => m.endsWith(join('dist', 'ofp.cjs'))), what).toBe(true);
      for (const m of modules) expect(m, what).not.toMatch(/node_modules[\\/](ink|react|yaml)[\\/]/);
    }
    // The codec's msgpackr is the master's, not --help's.
    expect(master.some((m) => /msgpackr-extract/.test(m))).toBe(true);
    expect(help.some((m) => /msgpackr/.test(m))).toBe(false);
  });
});

/** `ofp dashboard` in a pseudo-terminal (script(1)) until its first frame is drawn, then `q`; its output. */
function dashboardInTerminal(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OFP_') && k !== 'CI') env[k] = v;
    // A master nobody runs: the dashboard shows it unreachable, which is a frame all the same.
    const command = `stty rows 30 cols 100; exec '${process.execPath}' '${BIN}' dashboard --master 127.0.0.1:9 --refresh 200`;
    const p = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let output = '';
    let quit = false;
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000); // the first frame comes in well under 1 s
    const take = (s: string) => {
      output += s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '');
      if (!quit && output.includes('q quit')) {
        quit = true;
        p.stdin.write('q');
      }
    };
    p.stdout.setEncoding('utf8').on('data', take);
    p.stderr.setEncoding('utf8').on('data', take);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('NODE_ENV', () => {
  it('"development" or "test" starts a command from the bundle all the same: oclif looks for no TypeScript sources', async () => {
    // Left to itself, oclif reads tsconfig.json and probes for sources to run instead of the
    // compiled commands under these two values, at three times the CPU of a start.
    for (const NODE_ENV of ['development', 'test']) {
      const r = await runOfp(['master', '--help'], { env: { NODE_ENV, DEBUG: 'oclif:config:ts-path' } });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Run a master/m);
      const lookups = r.stderr.split('\n').filter((l) => l.includes('oclif:config:ts-path'));
      expect(lookups, NODE_ENV).not.toHaveLength(0);
      for (const l of lookups) expect(l, NODE_ENV).toMatch(/Skipping typescript path lookup .* because enableAutoTranspile is explicitly set to false/);
    }
  });
});

describe('the order of the commands', () => {
  it('oclif sorts them without setting up ICU\'s collator (6 ms of every start), in the same order', async () => {
    // bin/bundle.mjs replaces the one `localeCompare` of oclif's start with a code-point comparison.
    expect(readFileSync(join(root, 'dist', 'ofp.cjs'), 'utf8')).not.toMatch(/\.id\.localeCompare\(/);
    for (const args of [['--help'], ['master', '--help']]) {
      const r = await runOfp(args);
      expect(r.code, r.stderr).toBe(0);
      const listed = [...r.stdout.slice(r.stdout.indexOf('COMMANDS')).matchAll(/^ {2}([a-z][a-z ]*?) {2}/gm)].map((m) => m[1]!);
      expect(listed.length, args.join(' ')).toBeGreaterThanOrEqual(3);
      expect(listed).toEqual([...listed].sort((a, b) => a.localeCompare(b)));
    }
  });
});

describe("V8's code cache", () => {
  const cacheDir = join(root, 'dist', '.v8-cache');
  /** The cache of `ofp --version` (named `ofp-…`: no command word). */
  const versionCache = () => readdirSync(cacheDir).filter((f) => /^ofp-\d+-\d+-.*\.bin$/.test(f)).map((f) => join(cacheDir, f));

  it('is kept by a first run, taken unchanged by the next, and written again when damaged', async () => {
    const first = await runOfp(['--version']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^ofp\/\d+\.\d+\.\d+ /);
    const [file] = versionCache();
    expect(file, `a cache in ${cacheDir}`).toBeDefined();
    const kept = statSync(file!).mtimeMs;

    const second = await runOfp(['--version']);
    expect(second.stdout).toBe(first.stdout);
    expect(statSync(file!).mtimeMs, 'the cache was taken as it was').toBe(kept);

    const damaged = Buffer.alloc(4096, 0x5a);
    writeFileSync(file!, damaged);
    const third = await runOfp(['--version']);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toBe(first.stdout);
    expect(readFileSync(file!).equals(damaged), 'a refused cache is written again').toBe(false);
  });

  it('the dashboard opens its view in a terminal from the cache as on its first run', async () => {
    // The bundle's only import() is the view's, and bin/run.js does it for the bundle.
    const dynamic = (meta as unknown as { cli: { outputs: Record<string, Input> } }).cli.outputs['dist/ofp.cjs']!.imports.filter((i) => i.kind === 'dynamic-import');
    expect(dynamic.map((i) => i.path)).toEqual(['./ui.mjs']);
    for (const run of ['first', 'second']) {
      const r = await dashboardInTerminal();
      expect(r.output, `${run} run`).toContain('q quit');
      expect(r.output, `${run} run`).not.toMatch(/error internal/);
      expect(r.code, `${run} run: ${r.output.slice(-500)}`).toBe(0);
    }
  });
});
