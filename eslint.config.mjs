// @ts-check
import jupyter from '@jupyter/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/lib/**',
      'matih_workbench/labextension/**',
      'labextension/src/api/types.gen.ts',
      'ui-tests/test-results/**',
      'ui-tests/playwright-report/**',
      'ui-tests/.jupyter-home/**',
      '.venv/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs'
    ]
  },
  ...tseslint.configs.strict,
  { plugins: { jupyter } },
  ...jupyter.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: 'interface',
          format: ['PascalCase'],
          custom: { regex: '^I[A-Z]', match: true }
        }
      ],
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none' }],
      // English only for now: the panel has no translation bundle yet.
      'jupyter/no-untranslated-string': 'off',
      curly: ['error', 'all'],
      eqeqeq: ['error', 'smart'],
      'prefer-arrow-callback': 'error'
    }
  },
  {
    // The API contract generated from Pydantic, not a settings schema.
    files: ['labextension/schema/api.schema.json'],
    rules: { 'jupyter/no-schema-enum': 'off' }
  },
  prettier
);
