/**
 * Chinese text for character-level work.
 * - Debian `fortunes-zh` (GPL-3.0+; Yu Guanghui, Mo Zhou, xiao sheng wen): fortune files under
 *   /usr/share/games/fortunes — `tang300` (唐诗三百首, 313 poems, simplified script) and `chinese`
 *   (5,263 sayings, quotes and tips). Fortune format: entries separated by lines holding `%`, with
 *   ANSI colour codes that are stripped here. Installed with `apt-get install fortunes-zh`.
 * - npm `chinese-poetry@2.0.1` (MIT): 全唐诗, about 57,600 Tang poems as JSON
 *   `{author, title, paragraphs[]}` in traditional script (kept as is). 81 MB download, installed on
 *   demand into lmkit's cache by `lmkit data install tang`.
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

async function readFortunes(name: string): Promise<string[]> {
  const path = join(FORTUNES_DIR, name);
  if (!existsSync(path)) {
    throw new LmkitError(`Debian package fortunes-zh is not installed (${path} is missing)`, {
      hint: 'run: sudo apt-get install fortunes-zh',
    });
  }
  return parseFortunes(decodeUtf8(await readFile(path), path));
}
