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

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'runs/**', 'coverage/**', '.bench/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['src/protocol/**/*.ts', 'src/roles/**/*.ts'], rules: purity },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/protocol/**', 'src/roles/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/testbed/**', '**/commands/**', '**/protocol-spec/**'], message: 'src never imports testbed, commands or protocol-spec.' }] }],
    },
  },
);
