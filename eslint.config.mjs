// Lint: typescript-eslint's recommended rules, plus the layering rule DESIGN.md §2 asks for.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['src/core/**/*.ts', 'src/cli.ts', 'src/cli/**/*.ts', 'src/server/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'core, the CLI and the language server run without VS Code: only src/extension may import vscode.' }] }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "ImportDeclaration[source.value=/^(node:)?child_process$/]", message: 'Spawn processes only through src/core/process.' },
        { selector: "Property[key.name='shell'][value.value=true]", message: 'Never run anything through a shell string.' },
      ],
    },
  },
  {
    files: ['src/core/process/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
