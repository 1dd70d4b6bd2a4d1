/** Locations tests need: the repository root, the shared reference vectors, a fresh temp folder. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/...). */
export const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** The shared reference data folder beside the checkout (`../shared/testdata`), or $LMKIT_SHARED/testdata. */
export function sharedTestdata(): string {
  const dir = process.env.LMKIT_SHARED
    ? join(process.env.LMKIT_SHARED, 'testdata')
    : join(ROOT, '..', 'shared', 'testdata');
  if (!existsSync(dir))
    throw new Error(`reference vectors not found at ${dir}; set LMKIT_SHARED to the shared/ folder`);
  return dir;
}

/** A new empty temporary directory. */
export function tempDir(prefix = 'lmkit-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
