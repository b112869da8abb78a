/**
 * Where the bench's files are, from the compiled module's place (`bench/dist/src/lib/paths.js`): the bench
 * folder, the repository, and the compiled scripts the bench starts as child processes.
 */
import { fileURLToPath } from 'node:url';

/** `<repo>/bench/`. */
export const BENCH_DIR = fileURLToPath(new URL('../../../', import.meta.url));
/** `<repo>/`. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The compiled module `name` (e.g. `serverMain.js`) of `bench/dist/src/lib/`, as a file path to run. */
export function compiledLib(name: string): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}
