/**
 * The Debian FAQ in English and Chinese, from Debian's `debian-faq` and `debian-faq-zh-cn` packages
 * (Software in the Public Interest; verbatim and modified copies permitted with its permission notice).
 * Read only where installed (`apt-get install debian-faq debian-faq-zh-cn`); without them the build
 * skips this source and says so. Each numbered section "N.M. Question?" is a question in the FAQ's own
 * words, and the first paragraph of its body is the answer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { qa, spread, type InstructSource } from './example.js';

/** Where the Debian FAQ packages put their plain-text versions. */
export const DEBIAN_FAQ_DIR = '/usr/share/doc/debian/FAQ';

const LICENSE = 'Debian FAQ license (SPI): verbatim and modified copies permitted with its permission notice';
const FILES = { en: 'debian-faq.en.txt.gz', zh: 'debian-faq.zh-cn.txt.gz' } as const;
const PACKAGES = { en: 'debian-faq', zh: 'debian-faq-zh-cn' } as const;

/** One FAQ entry: its section number, question and first answer paragraph. */
export interface FaqEntry {
  section: string;
  question: string;
  answer: string;
}

/** Joins wrapped lines: with a space, except between two Chinese characters or punctuation marks. */
function unwrap(lines: string[]): string {
  return lines
    .map((l) => l.trim())
    .join(' ')
    .replace(/([\p{Script=Han}，。；：、“”（）？！])\s+(?=[\p{Script=Han}，。；：、“”（）？！])/gu, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Entries of the FAQ's plain-text form: a section heading starts at column 0 ("1.2.", a no-break space,
 * the question, possibly wrapped), its body is indented; the answer is the body's first paragraph.
 */
export function parseFaq(text: string): FaqEntry[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: FaqEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^(\d+\.\d+)\.\s+(\S.*)$/u.exec(lines[i]);
    if (!head) continue;
    const question = [head[2]];
    while (i + 1 < lines.length && /^\S/.test(lines[i + 1])) question.push(lines[++i]);
    while (i + 1 < lines.length && !lines[i + 1].trim()) i++;
    const paragraph: string[] = [];
    while (i + 1 < lines.length && /^\s+\S/.test(lines[i + 1])) paragraph.push(lines[++i]);
    const answer = unwrap(paragraph);
    if (answer) out.push({ section: head[1], question: unwrap(question), answer });
  }
  return out;
}

/** Whether the FAQ in `lang` is installed. */
export function faqInstalled(lang: 'en' | 'zh'): boolean {
  return existsSync(join(DEBIAN_FAQ_DIR, FILES[lang]));
}

function faqSource(lang: 'en' | 'zh'): InstructSource {
  return {
    name: `debian-faq-${lang}`,
    lang,
    license: LICENSE,
    origin: `apt ${PACKAGES[lang]}`,
    missing: () => (faqInstalled(lang) ? undefined : `not installed (apt-get install ${PACKAGES[lang]})`),
    ensure: async () => {},
    async examples(max) {
      if (!faqInstalled(lang)) return [];
      const text = gunzipSync(readFileSync(join(DEBIAN_FAQ_DIR, FILES[lang]))).toString('utf8');
      // questions only, answers that stand alone (not the lead-in to a list) and are not too long
      const entries = parseFaq(text).filter(
        (e) => /[?？]$/.test(e.question) && !/[:：]$/.test(e.answer) && e.answer.length <= 400,
      );
      return spread(entries, max).map((e) => ({
        messages: qa(e.question, e.answer),
        source: 'debian-faq',
        license: LICENSE,
        task: 'faq',
        lang,
      }));
    },
  };
}

/** The English Debian FAQ source. */
export const DEBIAN_FAQ_EN = faqSource('en');
/** The Chinese Debian FAQ source. */
export const DEBIAN_FAQ_ZH = faqSource('zh');
