/**
 * Deterministic train/valid/test splits of a sentence list.
 * - `bengio`: Bengio et al. (2003)'s Brown protocol. Sentences are taken in corpus order; a sentence
 *   goes to the split in which its first token falls: train while fewer than 800,000 tokens came
 *   before it, valid while fewer than 1,000,000, test after that. Tokens are whitespace-separated,
 *   without sentence-boundary markers. Words seen at most 3 times in train become `<unk>` in all
 *   three splits, as do words of valid/test never seen in train. Case is kept as given (lowercase
 *   before splitting to get a lowercased protocol).
 * - `mod10`: the 90/10 protocol: sentence i (0-based) goes to test when i % 10 == 9, else to train.
 *   It has no valid split (hold some of train out yourself, or use bengio).
 * The split `all` is always the whole corpus, unchanged.
 */
import { LmkitError, UsageError } from '../errors.js';

export type SplitScheme = 'bengio' | 'mod10';
export type SplitName = 'train' | 'valid' | 'test' | 'all';

export const SPLIT_SCHEMES: readonly SplitScheme[] = ['bengio', 'mod10'];
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'valid', 'test', 'all'];

/** The unknown-word token rare words are mapped to. */
export const UNK = '<unk>';

/** Sizes of Bengio et al.'s protocol, in tokens, and its rare-word threshold. */
export const BENGIO = { trainTokens: 800_000, validTokens: 200_000, maxRareCount: 3 } as const;

/** Train, valid and test sentences. */
export interface Splits {
  train: string[];
  valid: string[];
  test: string[];
}

/** One split of `sentences` under `scheme` (`all` returns the sentences unchanged). */
export function selectSplit(sentences: readonly string[], scheme: SplitScheme, split: SplitName): string[] {
  if (split === 'all') return [...sentences];
  if (scheme === 'mod10' && split === 'valid') {
    throw new UsageError(
      'the mod10 split has only train and test (90/10)',
      'use --scheme bengio for a valid split',
    );
  }
  return (scheme === 'bengio' ? bengioSplit(sentences) : mod10Split(sentences))[split];
}

/** Bengio et al. (2003)'s split: 800k train tokens, 200k valid, the rest test; rare words → `<unk>`. */
export function bengioSplit(sentences: readonly string[]): Splits {
  const tokenized = sentences.map(words);
  const total = tokenized.reduce((n, t) => n + t.length, 0);
  const minimum = BENGIO.trainTokens + BENGIO.validTokens;
  if (total <= minimum) {
    throw new LmkitError(
      `the bengio split needs more than ${minimum.toLocaleString('en-US')} tokens (got ${total})`,
      {
        hint: 'use --scheme mod10 for smaller corpora',
      },
    );
  }
  const parts: string[][][] = [[], [], []];
  let seen = 0;
  for (const t of tokenized) {
    const part = seen < BENGIO.trainTokens ? 0 : seen < BENGIO.trainTokens + BENGIO.validTokens ? 1 : 2;
    parts[part].push(t);
    seen += t.length;
  }
  const counts = new Map<string, number>();
  for (const t of parts[0]) for (const w of t) counts.set(w, (counts.get(w) ?? 0) + 1);
  const map = (t: string[]) => t.map((w) => ((counts.get(w) ?? 0) > BENGIO.maxRareCount ? w : UNK)).join(' ');
  return { train: parts[0].map(map), valid: parts[1].map(map), test: parts[2].map(map) };
}

/** The 90/10 split: sentence i goes to test when i % 10 == 9, else to train (valid is empty). */
export function mod10Split(sentences: readonly string[]): Splits {
  const out: Splits = { train: [], valid: [], test: [] };
  sentences.forEach((s, i) => (i % 10 === 9 ? out.test : out.train).push(s));
  return out;
}

function words(sentence: string): string[] {
  return sentence.split(/[ \t\r\n\0]+/).filter((w) => w);
}
