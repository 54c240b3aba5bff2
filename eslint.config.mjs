// Lint: TypeScript rules plus the import boundaries of ../shared/DESIGN.md and shared/README.md.
// `npm run lint` runs it (and Prettier's check); `npm test` runs lint first.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** A `no-restricted-imports` entry: files matching `group` may not import them, for `message`'s reason. */
const forbid = (group, message) => ({ group, message });

const restricted = (...patterns) => ['error', { patterns }];

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', '.tools/', 'coverage/', '**/*.proto'] },
  { files: ['deploy/**/*.mjs'], languageOptions: { globals: { process: 'readonly', fetch: 'readonly', AbortSignal: 'readonly' } } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs'],
    plugins: { import: importX },
    settings: {
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import/no-cycle': ['error', { ignoreExternal: true }],
      'import/no-self-import': 'error',
      'import/no-useless-path-segments': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      'no-console': 'off',
    },
  },
  // Tests read structured tool results whose shape the assertions check; `any` is allowed there.
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // shared/ is used by every process and never depends on one.
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': restricted(
        forbid(['**/servers/**'], 'shared/ never imports servers/: move the piece into shared/ or pass it in.'),
      ),
    },
  },
  // Tools and the domain reach the SDK only through shared/http and shared/tools.
  {
    files: ['servers/*/tools/**/*.ts', 'servers/*/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': restricted(
        forbid(
          ['@modelcontextprotocol/server', '@modelcontextprotocol/express', '@modelcontextprotocol/node'],
          'Only shared/http/ imports the SDK server modules.',
        ),
        forbid(
          ['**/control-plane.js', '**/observability-plane.js', '**/main.js'],
          "Tools import their plane's deps.ts, never the composition root.",
        ),
      ),
    },
  },
  // A plane never imports another plane's internals.
  {
    files: ['servers/control-plane/**/*.ts'],
    rules: {
      'no-restricted-imports': restricted(
        forbid(
          ['**/observability-plane/**', '**/demo-data-plane/**', '**/identity-provider/**', '**/rca-agent/**'],
          'The control plane imports no other process.',
        ),
      ),
    },
  },
  {
    files: ['servers/observability-plane/**/*.ts'],
    rules: {
      'no-restricted-imports': restricted(
        forbid(
          ['**/control-plane/**', '**/demo-data-plane/**', '**/identity-provider/**', '**/rca-agent/**'],
          'The observability plane imports no other process.',
        ),
      ),
    },
  },
  {
    files: ['servers/identity-provider/**/*.ts'],
    rules: {
      'no-restricted-imports': restricted(
        forbid(
          ['**/control-plane/**', '**/observability-plane/**', '**/demo-data-plane/**', '**/rca-agent/**'],
          'The identity provider imports no other process.',
        ),
      ),
    },
  },
  // The demo data plane stands in for OpenChoreo's controllers and data plane: it reaches the control
  // plane only through its store interface and domain, and the observability plane only through the
  // telemetry writers.
  {
    files: ['servers/demo-data-plane/**/*.ts'],
    rules: {
      'no-restricted-imports': restricted(
        forbid(
          ['**/control-plane/tools/**', '**/control-plane/gitops/**', '**/control-plane/control-plane.js', '**/control-plane/main.js'],
          'The demo data plane reaches the control plane only through control-plane/store and control-plane/domain.',
        ),
        forbid(
          ['**/observability-plane/tools/**', '**/observability-plane/alerting/**', '**/observability-plane/main.js'],
          'The demo data plane reaches the observability plane only through its telemetry writers and configuration.',
        ),
        forbid(['**/identity-provider/**', '**/rca-agent/**'], 'The demo data plane imports no other process.'),
      ),
    },
  },
  {
    files: ['scenarios/**/*.ts'],
    rules: {
      'no-restricted-imports': restricted(
        forbid(['**/test/**'], 'scenarios/ never imports test/: move shared helpers into scenarios/ or shared/.'),
      ),
    },
  },
);
