/** Builds the demo's wheels into examples/demo/wheels, the folder its requirements.txt points pip at. */
import path from 'node:path';
import { buildWheels, DEMO_PACKAGES } from '../test/fixtures/wheels';

/** Writes the demo wheels; returns the folder. */
export function buildDemoWheels(demo: string): string {
  const dir = path.join(demo, 'wheels');
  buildWheels(dir, DEMO_PACKAGES);
  return dir;
}

if (process.argv[1] === import.meta.filename) {
  console.log(`Demo wheels in ${buildDemoWheels(path.resolve(import.meta.dirname, '..', 'examples', 'demo'))}`);
}
