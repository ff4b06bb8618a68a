// Lint: typescript-eslint with type information (floating promises are bugs here), plus the rule
// that only entry files read process.argv / process.env or call process.exit (STYLE 7).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const entryFiles = ['bin/**/*.js', '**/*-main.ts', 'test/**/*.ts', 'test/**/*.mjs', 'bench/**/*.ts'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.lab/**', '.dependency-cruiser.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      eqeqeq: ['error', 'always'],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'argv', message: 'only entry files read process.argv (STYLE 7)' },
        { object: 'process', property: 'exit', message: 'only entry files call process.exit (STYLE 7)' },
        { object: 'process', property: 'env', message: 'only entry files read process.env: pass settings in (STYLE 7)' },
      ],
    },
  },
  { files: entryFiles, rules: { 'no-restricted-properties': 'off' } },
  {
    files: ['bin/**/*.js', 'eslint.config.js', 'test/fixtures/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/require-await': 'off' },
  },
);
