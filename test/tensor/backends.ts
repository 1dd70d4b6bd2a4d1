/** The backends a test suite runs against: ref always, native when the addon is built. */
import { nativeAvailable, type BackendName } from '../../src/tensor/index.js';

/** Backends available here (native is skipped with a note when the addon is missing). */
export function testBackends(): BackendName[] {
  if (nativeAvailable()) return ['ref', 'native'];
  process.stderr.write('note: native addon not built; tensor tests run on the ref backend only\n');
  return ['ref'];
}
