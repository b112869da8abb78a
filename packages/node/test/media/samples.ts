// Paths of the committed sample files (made by scripts/make-samples.sh), resolved from dist/test/media.
import { readFile } from 'node:fs/promises';

/** Reads a file from packages/node/samples/. */
export function readSample(name: 'testsrc.ivf' | 'tone.ogg'): Promise<Buffer> {
  return readFile(new URL(`../../../samples/${name}`, import.meta.url));
}
