/** Memory sizes as people write them on command lines (lmplz's -S): `1G`, `512M`, `64K`, `80%`. */
import { totalmem } from 'node:os';
import { LmkitError } from '../errors.js';

const UNITS: Record<string, number> = { b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/**
 * Bytes meant by `text`: a number with a unit b, K, M, G or T (powers of 1024, case ignored, an optional
 * trailing B as in `1GB`), or a percentage of the machine's physical memory. A bare number is in KiB, as
 * lmplz reads `-S`.
 */
export function parseMemorySize(text: string, flag = '--memory'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%|[bkmgt]i?b?)?\s*$/i.exec(text);
  if (!m) {
    throw new LmkitError(`${flag} needs a size such as 1G, 512M or 80% (got '${text}')`);
  }
  const value = Number(m[1]);
  const unit = (m[2] ?? 'k').toLowerCase();
  const bytes = unit === '%' ? (totalmem() * value) / 100 : value * UNITS[unit[0]];
  if (unit === '%' && value > 100)
    throw new LmkitError(`${flag} ${text} is more than all the memory there is`);
  return Math.floor(bytes);
}
