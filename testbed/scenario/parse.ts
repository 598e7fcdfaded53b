/**
 * A scenario file (YAML) → the normalized Scenario, or a ScenarioError that
 * lists every problem as `file:line:col: what is wrong`. Nothing runs until a
 * file parses cleanly. The file format is documented in testbed/README.md.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { defaultLink, ParseContext } from './context.js';
import { NAME_PATTERN } from './names.js';
import { parseExpect } from './parseExpect.js';
import { parseFaults, parseImpairments } from './parseFaults.js';
import { parseAttackers, parseBases, parseClients, parseJobs, parseMasters, parseMedia, parsePortals, parseServers } from './parseTopology.js';
import type { Scenario } from './types.js';
import { parseCount, parseDuration } from './units.js';
import { ScenarioError } from '../../src/errors.js';
import { YamlReader } from './yamlReader.js';

export const TOP_KEYS = ['name', 'description', 'tags', 'seed', 'duration', 'converge', 'key', 'link', 'media', 'masters', 'portals', 'servers', 'clients', 'attackers', 'bases', 'jobs', 'impairments', 'faults', 'expect'] as const;

export const DEFAULT_CONVERGE = 30_000;

export interface ParseOptions {
  /**
   * A reduced (or enlarged) copy: every `count` and every time in the run
   * (duration, starts, fault times) multiplied by it; `every`, media and
   * convergence unchanged. 1: as written.
   */
  readonly scale?: number;
}

/** Parse scenario text; `file` names it in messages. Throws ScenarioError. */
export function parseScenario(text: string, file: string, o: ParseOptions = {}): Scenario {
  const r = new YamlReader(file, text);
  if (r.problems.length > 0) throw new ScenarioError(r.problems);
  const ctx = new ParseContext(r, o.scale ?? 1);
  const e = r.map(r.root, 'a scenario', TOP_KEYS, ['duration', 'media', 'servers']);
  if (!e) throw new ScenarioError(r.problems);
  const node = (k: string) => e.get(k)?.value;
  const has = (k: string) => e.has(k);

  const stem = basename(file).replace(/\.ya?ml$/i, '');
  const name = has('name') ? r.str(node('name')!, 'name', NAME_PATTERN, 'must be letters, digits, `.`, `_` or `-`') : stem;
  const description = has('description') ? r.str(node('description')!, 'description') : '';
  if (description && description.includes('\n')) r.problem(node('description')!, 'description is one line (`ofp testbed list` shows it)');
  const tags = has('tags') ? (r.words(node('tags')!, 'tags') ?? []).map((w) => w.word) : [];
  for (const t of tags) if (!/^[a-z][a-z0-9-]{0,31}$/.test(t)) r.problem(node('tags')!, `tag ${JSON.stringify(t)} must be lower-case letters, digits or -`);
  const seed = has('seed') ? r.unit(node('seed')!, 'seed', (v) => parseCount(v, 0, 0xffff_ffff)) : 1;
  const duration = has('duration') ? ctx.time(node('duration')!, 'duration') : undefined;
  if (duration !== undefined && duration <= 0) r.problem(node('duration')!, 'duration must be more than 0');
  const converge = has('converge') ? r.unit(node('converge')!, 'converge', parseDuration) : DEFAULT_CONVERGE;
  const key = has('key') ? r.str(node('key')!, 'key', /^.{16,256}$/su, 'must be 16 to 256 characters (a cluster key is at least MIN_KEY_LENGTH bytes, §9.1)') : undefined;
  const link = defaultLink(ctx, node('link') ?? null);

  const media = has('media') ? parseMedia(ctx, node('media')!) : [];
  const masters = parseMasters(ctx, node('masters'));
  const portals = parsePortals(ctx, node('portals'), masters);
  // A portal passes a request on with the cluster key (§12.3): the master could not tell it from a spoofed one.
  for (const p of portals) {
    if (p.mode !== 'forward' || key !== undefined) continue;
    const at = ctx.nodePos.get(p.name);
    r.problems.push({ file, line: at?.line ?? 1, col: at?.col ?? 1, message: `portal ${p.name}: mode forward needs the cluster key (give the scenario a \`key\`), or use mode refer` });
  }
  const servers = has('servers') ? parseServers(ctx, node('servers')!, masters) : [];
  const clients = parseClients(ctx, node('clients'), masters, duration);
  const attackers = parseAttackers(ctx, node('attackers'), duration);
  const bases = parseBases(ctx, node('bases'));
  const jobs = parseJobs(ctx, node('jobs'), bases, servers, duration, key);
  const impairments = parseImpairments(ctx, node('impairments'));
  const faults = parseFaults(ctx, node('faults'), duration);
  const expect = parseExpect(ctx, node('expect'), attackers.length);

  // A client asking for an item no server holds can only fail: say so, unless the scenario expects it.
  const expectedToFail = new Set((expect.clientsFail ?? []).map((c) => c.client));
  // A job brings its file to its targets: clients may ask for it (after the job has done its work).
  const held = new Set([...servers.flatMap((s) => s.files), ...jobs.map((j) => j.file)]);
  const reported = new Set<string>();
  for (const c of clients) {
    if (held.has(c.file) || expectedToFail.has(c.name)) continue;
    const group = c.name.replace(/-\d+$/, '');
    if (reported.has(group + c.file)) continue;
    reported.add(group + c.file);
    const p = ctx.nodePos.get(c.name);
    r.problems.push({ file, line: p?.line ?? 1, col: p?.col ?? 1, message: `client ${c.name} asks for ${c.file}, which no server holds: give a server the file, or expect the client to fail (expect: clients-fail: [{client: ${c.name}, code: not-found}])` });
  }
  if (r.problems.length > 0 || name === undefined || description === undefined || seed === undefined || duration === undefined || converge === undefined || !link) {
    throw new ScenarioError(r.problems);
  }
  return {
    name,
    description,
    file,
    seed,
    duration,
    converge,
    ...(key !== undefined ? { key } : {}),
    link,
    media,
    masters,
    portals,
    servers,
    clients,
    attackers,
    bases,
    jobs,
    impairments,
    faults,
    expect,
    tags,
  };
}

/** Read and parse a scenario file. Throws ScenarioError (also when the file cannot be read). */
export function loadScenario(path: string, o: ParseOptions = {}): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScenarioError([{ file: path, line: 1, col: 1, message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }]);
  }
  return parseScenario(text, path, o);
}
