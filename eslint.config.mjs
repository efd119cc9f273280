// Lint: typescript-eslint's recommended rules, plus the structure ARCHITECTURE.md describes
// (the import graph itself is checked by dependency-cruiser: .dependency-cruiser.cjs).
import tseslint from 'typescript-eslint';

const SPAWN = [
  { selector: "ImportDeclaration[source.value=/^(node:)?child_process$/]", message: 'Spawn processes only through src/core/leaves/process.ts.' },
  { selector: "Property[key.name='shell'][value.value=true]", message: 'Never run anything through a shell string.' },
];
const LAYOUT = { selector: "Literal[value='bin']", message: "Where things are in a venv is src/core/leaves/layout.ts's business (venvPython, venvScriptsDir): no 'bin' literal elsewhere." };

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
      'no-restricted-syntax': ['error', ...SPAWN, LAYOUT],
    },
  },
  {
    files: ['src/core/leaves/process.ts'],
    rules: { 'no-restricted-syntax': ['error', LAYOUT] },
  },
  {
    files: ['src/core/leaves/layout.ts'],
    rules: { 'no-restricted-syntax': ['error', ...SPAWN] },
  },
);
