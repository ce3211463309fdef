/**
 * Writes `firmware-protocol/vectors/*.json` from the implementation:
 * `npx tsc -b firmware-protocol && node firmware-protocol/dist/vectors/generate-vectors.js`.
 * Review the diff before committing: a changed vector is a changed contract (spec: never change a format silently).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildVectorFiles, serializeVectorFile } from './build-vectors.js';

const directory = fileURLToPath(new URL('../../vectors/', import.meta.url));
for (const [name, vectorFile] of Object.entries(buildVectorFiles())) {
  writeFileSync(`${directory}${name}`, serializeVectorFile(vectorFile));
  console.log(`wrote vectors/${name}`);
}
