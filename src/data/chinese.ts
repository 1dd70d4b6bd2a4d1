/**
 * Chinese text for character-level work.
 * - Debian `fortunes-zh` (GPL-3.0+; Yu Guanghui, Mo Zhou, xiao sheng wen): fortune files under
 *   /usr/share/games/fortunes — `tang300` (唐诗三百首, 313 poems, simplified script) and `chinese`
 *   (5,263 sayings, quotes and tips). Fortune format: entries separated by lines holding `%`, with
 *   ANSI colour codes that are stripped here. Installed with `apt-get install fortunes-zh`.
 * - npm `chinese-poetry@2.0.1` (MIT): 全唐诗, about 57,600 Tang poems as JSON
 *   `{author, title, paragraphs[]}` in traditional script (kept as is). 81 MB download, installed on
 *   demand into lmkit's cache by `lmkit data install tang`. The same package's 全宋诗 (about 254,000
 *   Song poems, same form) gives the classification dataset `poem-era` ({@link poemEraExamples}).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LmkitError } from '../errors.js';
import { cachedPackageDir, isCachedPackageInstalled } from './packages.js';
import { splitRawText } from './sentences.js';
import { decodeUtf8 } from './text-file.js';

/** Where Debian's fortunes-zh puts its fortune files. */
export const FORTUNES_DIR = '/usr/share/games/fortunes';

/** The npm package holding the complete Tang poems, installed on demand. */
export const CHINESE_POETRY = { name: 'chinese-poetry', version: '2.0.1' } as const;

/** Removes ANSI terminal escape sequences (colours) from text. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex -- ANSI escape sequences start with the control character ESC
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

/** Splits fortune-file text into entries (separated by lines holding only `%`), colour codes stripped. */
export function parseFortunes(text: string): string[] {
  return stripAnsi(text)
    .replace(/\r\n?/g, '\n')
    .split(/^%[^\S\n]*$/m)
    .map((e) => e.replace(/^\n+|\s+$/g, ''))
    .filter((e) => e.trim());
}

/** Whether fortune file `name` of fortunes-zh is installed. */
export function fortunesInstalled(name: string): boolean {
  return existsSync(join(FORTUNES_DIR, name));
}

/** Sentences of the 300 Tang poems of fortunes-zh: poem bodies split on 。！？；, titles and authors left out. */
export async function tang300Sentences(): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readFortunes('tang300')) {
    const body = entry.split('\n').slice(2).join('\n');
    for (const s of splitRawText(body)) out.push(s);
  }
  return out;
}

/** Sentences of fortunes-zh's `chinese` file: each entry sentence-split, `-- source` attribution lines left out. */
export async function fortunesZhSentences(): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readFortunes('chinese')) {
    const body = entry
      .split('\n')
      .filter((l) => !/^\s*(--|——)/.test(l))
      .join('\n');
    for (const s of splitRawText(body)) out.push(s);
  }
  return out;
}

/** Sentences of the complete Tang poems (chinese-poetry, traditional script): every poem's lines split on 。！？；. */
export async function tangSentences(): Promise<string[]> {
  const { name, version } = CHINESE_POETRY;
  if (!isCachedPackageInstalled(name, version)) {
    throw new LmkitError(`the Tang poems (npm ${name}@${version}) are not installed`, {
      hint: 'run: lmkit data install tang (81 MB download)',
    });
  }
  const dir = join(cachedPackageDir(name, version), 'dist', 'quantangshi');
  const files = (await readdir(dir))
    .map((f) => /^poet\.tang\.(\d+)\.json$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => m[0]);
  const out: string[] = [];
  for (const f of files) {
    const poems = JSON.parse(decodeUtf8(await readFile(join(dir, f)), f)) as { paragraphs?: unknown }[];
    for (const poem of poems) {
      if (!Array.isArray(poem.paragraphs)) continue;
      for (const s of splitRawText(poem.paragraphs.filter((p) => typeof p === 'string').join('\n')))
        out.push(s);
    }
  }
  return out;
}

/** Poems of each dynasty kept for `poem-era` (per 10,000, by hash): about 5,000 of 57,607 Tang, 5,000 of 254,248 Song. */
const POEM_ERA_KEEP = { tang: 870, song: 197 } as const;

/** One labelled poem of `poem-era`. */
export interface PoemEraExample {
  text: string;
  label: 'tang' | 'song';
  split: 'train' | 'valid' | 'test';
}

/** FNV-1a (32-bit) of a string's UTF-16 code units: a stable hash for choosing and splitting by id. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Tang or Song? About 10,000 regular poems (shi) of chinese-poetry, half from 全唐诗 and half from 全宋诗,
 * labelled by dynasty: the text is the poem's body (its lines joined, traditional script, title and author
 * left out); bodies under 20 characters (fragments, 句) are skipped. Which poems, and their split, come from
 * a hash of each poem's id (FNV-1a): hash mod 10 is 9 → test, 8 → valid, else train; a poem is kept when
 * ⌊hash / 10⌋ mod 10,000 falls under its dynasty's share. In file order, Tang first.
 */
export async function poemEraExamples(): Promise<PoemEraExample[]> {
  const { name, version } = CHINESE_POETRY;
  if (!isCachedPackageInstalled(name, version)) {
    throw new LmkitError(`the poems (npm ${name}@${version}) are not installed`, {
      hint: 'run: lmkit data install tang (81 MB download)',
    });
  }
  const dir = join(cachedPackageDir(name, version), 'dist', 'quantangshi');
  const names = await readdir(dir);
  const out: PoemEraExample[] = [];
  for (const label of ['tang', 'song'] as const) {
    const files = names
      .map((f) => /^poet\.(tang|song)\.(\d+)\.json$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null && m[1] === label)
      .sort((a, b) => Number(a[2]) - Number(b[2]))
      .map((m) => m[0]);
    for (const f of files) {
      const poems = JSON.parse(decodeUtf8(await readFile(join(dir, f)), f)) as {
        id?: unknown;
        paragraphs?: unknown;
      }[];
      for (const poem of poems) {
        if (typeof poem.id !== 'string' || !Array.isArray(poem.paragraphs)) continue;
        const h = fnv1a(poem.id);
        if (Math.floor(h / 10) % 10_000 >= POEM_ERA_KEEP[label]) continue;
        const text = poem.paragraphs.filter((p) => typeof p === 'string').join('');
        if ([...text].length < 20) continue;
        out.push({ text, label, split: h % 10 === 9 ? 'test' : h % 10 === 8 ? 'valid' : 'train' });
      }
    }
  }
  return out;
}

/** The poems of `poem-era`, one a line (for language modelling). */
export async function poemEraSentences(): Promise<string[]> {
  return (await poemEraExamples()).map((e) => e.text);
}

async function readFortunes(name: string): Promise<string[]> {
  const path = join(FORTUNES_DIR, name);
  if (!existsSync(path)) {
    throw new LmkitError(`Debian package fortunes-zh is not installed (${path} is missing)`, {
      hint: 'run: sudo apt-get install fortunes-zh',
    });
  }
  return parseFortunes(decodeUtf8(await readFile(path), path));
}
