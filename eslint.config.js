import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.flatMap((name) => [name, `node:${name}`, `${name}/*`]);

export default tseslint.config(
  { ignores: ['node_modules/', '.stack/', '.build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox and is replayed from history, so it must
    // not reach Node built-ins, the store or the file sources. Activities do that work instead.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Workflows must stay deterministic: call an activity.',
          })),
          patterns: [
            {
              group: [
                '**/store',
                '**/store/**',
                '**/sources',
                '**/sources/**',
                '**/activities/*.js',
                'mongodb',
              ],
              allowTypeImports: true,
              message: 'Workflows may import activity and store types only: call an activity.',
            },
          ],
        },
      ],
    },
  },
);
