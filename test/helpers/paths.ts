/** Locations tests need: the repository root, the KenLM reference vectors, a fresh temp folder. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/...). */
export const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** KenLM's own outputs (ARPA files, `query` lines) that the n-gram tests compare against (test/fixtures/kenlm/README.md). */
export const KENLM_FIXTURES = join(ROOT, 'test', 'fixtures', 'kenlm');

/** A new empty temporary directory. */
export function tempDir(prefix = 'lmkit-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
