import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// DESIGN.md's layers, one way: what each folder of src/ may import besides itself. `server` may reach
// into core only for claim parsing (core/claims.ts); nothing in src/ imports test support.
const layers = {
  'privacy-pass': [],
  wire: [],
  i18n: [],
  shared: [],
  worker: ['wire', 'privacy-pass'],
  core: ['worker', 'wire', 'privacy-pass'],
  react: ['core', 'wire', 'i18n'],
  ui: ['react', 'core', 'wire', 'i18n'],
  server: ['wire', 'privacy-pass', 'shared'],
  emulator: ['privacy-pass', 'wire', 'shared', 'i18n'],
  // src/index.ts, the React entry.
  entry: ['core', 'react', 'ui', 'i18n', 'wire'],
};

/** The import-boundary rule; exported so a test can prove it refuses a wrong-way import. */
export const layerBoundaries = {
  files: ['src/**/*.ts', 'src/**/*.tsx'],
  // Tests may reach across layers and into test/support to drive real parts.
  ignores: ['**/*.test.ts', '**/*.test.tsx', '**/*.test-d.ts'],
  plugins: { boundaries },
  settings: {
    'boundaries/elements': [
      ...Object.keys(layers)
        .filter((type) => type !== 'entry')
        .map((type) => ({ type, pattern: `src/${type}`, partialMatch: false })),
      { type: 'test-support', pattern: 'test', partialMatch: false },
      // Last, so only files directly in src/ (the entry) land here.
      { type: 'entry', pattern: 'src', partialMatch: false },
    ],
    'boundaries/files': [{ category: 'claims', pattern: 'src/core/claims.ts' }],
  },
  rules: {
    'boundaries/dependencies': [
      'error',
      {
        default: 'disallow',
        policies: [
          ...Object.entries(layers).map(([from, to]) => ({
            from: { element: { type: from } },
            allow: { to: { element: { types: { anyOf: [from, ...to] } } } },
          })),
          { from: { element: { type: 'server' } }, allow: { to: { element: { type: 'core' }, file: { categories: 'claims' } } } },
        ],
      },
    ],
  },
};

export default tseslint.config(
  // The consumer apps are standalone projects (their own package.json and dependencies, run from the packed tarball).
  { ignores: ['dist', 'storybook-static', 'test-results', 'playwright-report', 'coverage', 'node_modules', '**/*.d.ts', 'e2e/consumers/vite-express', 'e2e/consumers/next-app'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Interface implementations (stores) are async by contract even when one backend is synchronous.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'e2e/**', 'bench/**', 'scripts/**', 'stories/**', '.storybook/**', '*.config.*'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  layerBoundaries,
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
