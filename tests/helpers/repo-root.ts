import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository; helpers run compiled from dist/tests/helpers/. */
export const repoRoot = path.resolve(fileURLToPath(new URL('../../../', import.meta.url)));
