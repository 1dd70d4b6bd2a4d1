/**
 * The Brown part-of-speech data of the probe (pos-probe.ts) and of BERT's tagging bench (bench/bert/pos.ts),
 * so that both score the same tokens: Brown's tagged sentences split as Bengio et al. (by the running token
 * count at each sentence's start: the first 800k tokens train, the last ~160k test), tags less the
 * -tl/-hl/-nc marks, and the words the training split shows with two or more tags ("ambiguous").
 */
import { brownTaggedSentences, partOfSpeech, type TaggedSentence } from '../../src/data/brown.js';
import { BENGIO } from '../../src/data/splits.js';

/** Brown's tagged sentences of Bengio's train and test splits (tags as partOfSpeech gives them). */
export async function brownPosSplit(): Promise<{ train: TaggedSentence[]; test: TaggedSentence[] }> {
  const parts: { train: TaggedSentence[]; test: TaggedSentence[] } = { train: [], test: [] };
  let seen = 0;
  for (const s of await brownTaggedSentences()) {
    const tagged = { words: s.words, tags: s.tags.map(partOfSpeech) };
    if (seen < BENGIO.trainTokens) parts.train.push(tagged);
    else if (seen >= BENGIO.trainTokens + BENGIO.validTokens) parts.test.push(tagged);
    seen += s.words.length;
  }
  return parts;
}

/** Each word of `sentences` and the tags it is seen with. */
export function tagsOfWords(sentences: readonly TaggedSentence[]): Map<string, Set<string>> {
  const tagsOf = new Map<string, Set<string>>();
  for (const s of sentences)
    s.words.forEach((w, i) => {
      const set = tagsOf.get(w) ?? new Set<string>();
      set.add(s.tags[i]);
      tagsOf.set(w, set);
    });
  return tagsOf;
}
