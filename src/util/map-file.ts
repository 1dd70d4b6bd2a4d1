/**
 * Reads a whole file, mapping it into memory when the `lmkit_io` native addon is built (model files are
 * then paged in from the page cache as they are touched, instead of copied into fresh memory up front:
 * on this project's VMs a 67 MB read costs about 0.3–0.6 s, the mapping 0.02–0.08 s). Without the addon,
 * or for files it cannot map, it is `readFileSync`. The mapping is private: writes never reach the file.
 * Replacing the file by rename (as lmkit's atomic writes do) is safe; truncating it in place while it is
 * mapped is not (the process would fault on the lost pages).
 */
import { readFileSync } from 'node:fs';
import { ioAddon } from './io-addon.js';

/** The bytes of the file at `path`: mapped when possible, else read. Errors are readFileSync's. */
export function readFileMapped(path: string): Buffer {
  const io = ioAddon();
  if (io) {
    try {
      return Buffer.from(io.mapFile(path));
    } catch {
      // empty files, pipes and special files cannot be mapped; readFileSync reports real errors
    }
  }
  return readFileSync(path);
}
