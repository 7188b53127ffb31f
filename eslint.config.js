// ESLint: the project's architecture rules as lint rules, plus typescript-eslint's recommended set.
// Run by `npm test` (and `npm run lint`). Rules that are the project's own say why in their message.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const learnerTrees = ['**/solutions/**', '**/exercises/**', '../solutions/*', '../exercises/*'];
const oneDoor = { group: learnerTrees, message: 'The one door: load a component through engine/impl.ts (loadComponent), so that --impl chooses whose code runs.' };
const engineNotTui = { group: ['**/tui/**', '../tui/*'], message: 'engine/ never imports tui/: the engine is reusable on its own (DESIGN.md, data flows one way).' };

export default tseslint.config(
  // Fixtures that are broken on purpose (syntax errors, unused values) are the grader's test subjects.
  { ignores: ['node_modules/**', '.stryker-tmp/**', 'reports/**', '**/.kubelings/**', 'test/engine/fixtures/grader-pack/variants/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        clearImmediate: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        performance: 'readonly',
        globalThis: 'readonly',
      },
    },
  },
  {
    rules: {
      // Terminal text is matched by its escape codes on purpose.
      'no-control-regex': 'off',
      // A timer read by a closure before it is set is declared with let.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // A catch that ignores is written `catch {}` where the failure is expected (a process gone).
      'no-empty': ['error', { allowEmptyCatch: true }],
      // FieldSet walks its own tree from `this`.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['set'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['tui/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // Tests: expected terminal output keeps its spaces as printed; test doubles may be loosely typed.
    files: ['test/**/*.{ts,tsx}'],
    rules: { 'no-regex-spaces': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // OpenAPI documents are JSON of open shape.
    files: ['engine/kube/openapi/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // A stub names its parameters for the learner and leaves them unused until they are written.
    files: ['exercises/**/*.ts', 'test/tui/fixtures/**/exercises/**/*.ts', '**/fixtures/**/exercises/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    // The one door: tui/ reaches learner code only through engine/impl.ts.
    files: ['tui/**/*.{ts,tsx,js}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [oneDoor] }],
    },
  },
  {
    // The one door, and data flows one way: the engine never imports the course machinery.
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [oneDoor, engineNotTui] }],
    },
  },
  {
    // engine/impl.ts is the door itself.
    files: ['engine/impl.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [engineNotTui] }],
    },
  },
  {
    // Hidden suites take their subject through the grading door, never a tree directly.
    files: ['test/grading/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: learnerTrees, message: 'A hidden suite takes its subject from #grading (the door --impl and the grader choose through), not from a tree directly.' }] },
      ],
    },
  },
  {
    // Tunables live in engine/params.ts, with a comment each.
    files: ['engine/**/*.ts'],
    ignores: ['engine/params.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.name=/^set(Timeout|Interval)$/][arguments.1.type="Literal"][arguments.1.value>1]',
          message: 'A delay is a tunable: name it in engine/params.ts with a comment.',
        },
        {
          selector:
            'ExportNamedDeclaration > VariableDeclaration[kind="const"] > VariableDeclarator[id.name=/^[A-Z][A-Z0-9_]*_(MS|SECONDS|BYTES|LIMIT|MAX|KEPT|INTERVAL|TIMEOUT|SIZE|COUNT)$/]:not([init.type="Literal"][init.raw=/^[\'"]/])',
          message: 'A tunable lives in engine/params.ts with a comment.',
        },
      ],
    },
  },
);
