// Lint: TypeScript rules, plus the architecture's two hard lines:
// the protocol core (src/protocol, src/roles) stays pure, and dependencies point one way.
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers', 'tls', 'url', 'util', 'worker_threads', 'zlib'];

const purity = {
  'no-restricted-imports': ['error', {
    patterns: [
      { group: ['node:*'], message: 'The protocol core is pure: no Node.js modules (inject what you need through RoleDeps).' },
      { group: NODE_BUILTINS, message: 'The protocol core is pure: no Node.js modules.' },
      { group: ['**/runtime/**', '**/ui/**', '**/testbed/**', '**/commands/**', '**/protocol-spec/**'], message: 'The core imports only the core.' },
    ],
  }],
  'no-restricted-globals': ['error',
    { name: 'setTimeout', message: 'Time is an input: return a deadline from pollTimeout().' },
    { name: 'setInterval', message: 'Time is an input: return a deadline from pollTimeout().' },
    { name: 'setImmediate', message: 'Time is an input.' },
    { name: 'clearTimeout', message: 'Time is an input.' },
    { name: 'clearInterval', message: 'Time is an input.' },
    { name: 'queueMicrotask', message: 'The core is synchronous.' },
    { name: 'performance', message: 'Time is an input: use the `now` argument.' },
    { name: 'process', message: 'The core is pure.' },
    { name: 'require', message: 'The core is pure.' },
    { name: 'fetch', message: 'The core does no I/O.' },
  ],
  'no-restricted-properties': ['error',
    { object: 'Date', property: 'now', message: 'Time is an input: use the `now` argument.' },
    { object: 'Math', property: 'random', message: 'Randomness is an input: use the seeded Rng from RoleDeps.' },
  ],
  'no-restricted-syntax': ['error',
    { selector: "NewExpression[callee.name='Date']", message: 'Time is an input: use the `now` argument.' },
  ],
};

/**
 * The layers, in a straight line, lowest first (an arrow: "may import"):
 *
 *   protocol -> roles -> view, platform -> runtime | ui | testbed -> commands
 *
 * src/view holds what the dashboard's view and the runtime share (the view model, the formatters);
 * src/platform the one Node.js crypto adapter; src/media and src/text are leaves that import
 * nothing. runtime, ui and testbed are siblings: ui and runtime never import each other, and
 * nothing but commands imports ui. protocol-spec draws the core: protocol, roles, media, platform.
 * Each entry: the files, and the folders they must not import (a folder name in the import's
 * path), each group with the line that says why. The purity rules stay as they are: this is a
 * second rule beside them.
 */
const UP = (what) => `Layers go protocol -> roles -> view/platform -> runtime | ui | testbed -> commands: ${what}.`;
const TESTBED_UP = (what) => `The testbed's folders go scenario -> link -> sim | real -> run -> cli: ${what}.`;
const ABOVE_SRC = ['testbed', 'commands', 'protocol-spec'];
const TESTBED = [['ui', 'commands', 'protocol-spec'], UP('the testbed never imports ui or commands')];
const LAYERS = [
  { files: ['src/protocol/**'], core: true, forbid: [[['roles', 'view', 'platform', 'media', 'text', 'runtime', 'ui', ...ABOVE_SRC], UP('the protocol imports nothing above it')]] },
  { files: ['src/roles/**'], core: true, forbid: [[['view', 'platform', 'runtime', 'ui', ...ABOVE_SRC], UP('the roles import only the protocol (and the leaves media, text)')]] },
  { files: ['src/media/**', 'src/text/**'], forbid: [[['protocol', 'roles', 'view', 'platform', 'runtime', 'ui', ...ABOVE_SRC], UP('src/media and src/text are leaves: they import nothing')]] },
  { files: ['src/view/**'], forbid: [[['platform', 'runtime', 'ui', ...ABOVE_SRC], UP('src/view sits under runtime and ui, and imports only protocol and roles')]] },
  { files: ['src/platform/**'], forbid: [[['view', 'runtime', 'ui', ...ABOVE_SRC], UP('src/platform sits under runtime and testbed, and imports only protocol and roles')]] },
  { files: ['src/runtime/**'], forbid: [[['ui', ...ABOVE_SRC], UP('the runtime never imports ui (the command line hands it the view), testbed or commands')]] },
  { files: ['src/ui/**'], forbid: [[['runtime', ...ABOVE_SRC], UP('ui never imports the runtime (what they share is in src/view), testbed or commands')]] },
  { files: ['protocol-spec/**'], forbid: [[['view', 'runtime', 'ui', 'testbed', 'commands'], UP('protocol-spec imports only the core (protocol, roles, media) and src/platform')]] },
  { files: ['testbed/**'], forbid: [TESTBED] },
  { files: ['testbed/scenario/**'], forbid: [TESTBED, [['link', 'sim', 'real', 'run', 'cli'], TESTBED_UP('a scenario is words, and imports no other testbed folder')]] },
  { files: ['testbed/link/**'], forbid: [TESTBED, [['sim', 'real', 'run', 'cli'], TESTBED_UP('the link model imports only scenario')]] },
  { files: ['testbed/sim/**'], forbid: [TESTBED, [['real', 'run', 'cli'], TESTBED_UP('the simulator imports scenario and link, not its sibling real')]] },
  { files: ['testbed/real/**'], forbid: [TESTBED, [['sim', 'run', 'cli'], TESTBED_UP('the real runner imports scenario and link, not its sibling sim')]] },
  { files: ['testbed/run/**'], forbid: [TESTBED, [['cli'], TESTBED_UP('a run imports sim and real, never cli')]] },
];

/**
 * The rules of one layer: no static import of the folders it must not import (TypeScript's rule,
 * so that the purity's own stays whole), and outside the core no import() or `import('…')` type
 * of them either (the core is synchronous, and no-restricted-syntax there is the purity's).
 * A later entry for the same files replaces an earlier one, so each entry lists all it forbids.
 */
function layerRules(forbid, core) {
  const groups = forbid.map(([folders, message]) => ({ regex: `(^|/)(${folders.join('|')})/`, message }));
  const imports = { '@typescript-eslint/no-restricted-imports': ['error', { patterns: groups }] };
  if (core) return imports;
  const literal = (regex) => `/${regex.replace(/\//g, '\\/')}/`;
  return {
    ...imports,
    'no-restricted-syntax': ['error', ...groups.flatMap(({ regex, message }) => [
      { selector: `ImportExpression[source.value=${literal(regex)}]`, message },
      { selector: `TSImportType[argument.literal.value=${literal(regex)}]`, message },
    ])],
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'runs/**', 'coverage/**', '.bench/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['src/protocol/**/*.ts', 'src/roles/**/*.ts'], rules: purity },
  // bin/run.js is CommonJS (bin/package.json): Node.js starts it without its ES module loader.
  { files: ['bin/run.js'], languageOptions: { sourceType: 'commonjs' }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/protocol/**', 'src/roles/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/testbed/**', '**/commands/**', '**/protocol-spec/**'], message: 'src never imports testbed, commands or protocol-spec.' }] }],
    },
  },
  ...LAYERS.map(({ files, forbid, core }) => ({ files, rules: layerRules(forbid, core) })),
);
