/**
 * Builds the examples' wheels: examples/demo/wheels (the folder its requirements.txt points pip
 * at) and the wheels/ of examples/shoal and examples/layered (their .vscode/settings.json point
 * pip there, since a pyproject.toml has no place for pip options).
 */
import path from 'node:path';
import { buildWheels, DEMO_PACKAGES, SHOAL_PACKAGES } from '../test/fixtures/wheels';

/** Writes the demo wheels; returns the folder. */
export function buildDemoWheels(demo: string): string {
  const dir = path.join(demo, 'wheels');
  buildWheels(dir, DEMO_PACKAGES);
  return dir;
}

/** Writes the wheels of the pyproject.toml and requirements-folder examples (`shoal`, `layered`) into `project/wheels`; returns the folder. */
export function buildProjectWheels(project: string): string {
  const dir = path.join(project, 'wheels');
  buildWheels(dir, SHOAL_PACKAGES);
  return dir;
}

if (process.argv[1] === import.meta.filename) {
  const examples = path.resolve(import.meta.dirname, '..', 'examples');
  console.log(`Demo wheels in ${buildDemoWheels(path.join(examples, 'demo'))}`);
  for (const name of ['shoal', 'layered']) console.log(`${name} wheels in ${buildProjectWheels(path.join(examples, name))}`);
}
