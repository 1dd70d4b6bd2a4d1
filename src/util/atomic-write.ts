/** Atomic file writes: write a temporary file beside the target, then rename it over the target. */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LmkitError } from '../errors.js';

/**
 * Writes `chunks` (produced lazily) to `path` so that a crash leaves either the old file or the new one.
 * Missing parent folders are created; a path that cannot be written is an error saying which and why.
 */
export function writeFileAtomic(path: string, chunks: Iterable<string | Uint8Array>): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number;
  try {
    mkdirSync(dir, { recursive: true });
    fd = openSync(tmp, 'w');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new LmkitError(
      `cannot write ${path}: ${e.code === 'EACCES' ? 'permission denied' : e.code === 'ENOTDIR' || e.code === 'EEXIST' ? `${dir} is not a folder` : e.message}`,
      {
        hint: 'pick another output path',
      },
    );
  }
  try {
    for (const c of chunks) {
      const buf = typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    }
    fsyncSync(fd);
    closeSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  renameSync(tmp, path);
}
