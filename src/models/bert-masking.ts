/**
 * BERT's masked-LM training data (Devlin et al., 2019, §3.1; Hugging Face's DataCollatorForLanguageModeling
 * and DataCollatorForWholeWordMask): windows of a token stream framed as `[CLS] tokens [SEP]`; each ordinary
 * token is chosen with probability 15% (or, with whole-word masking, each word, all of its tokens together);
 * a chosen token becomes `[MASK]` 80% of the time, a random ordinary token 10%, and stays itself 10%. The
 * targets hold the original token at chosen positions and −100 (ignored) elsewhere. No next-sentence pairs:
 * RoBERTa (Liu et al., 2019) found that dropping next-sentence prediction matches or improves downstream
 * results, so every window is one stretch of text with segment 0.
 */
import { LmkitError } from '../errors.js';
import type { Tokenizer } from '../tokenizers/tokenizer.js';
import type { Rng } from '../util/rng.js';
import { IntTensor } from '../tensor/tensor.js';

/** BERT's special tokens, added to any tokenizer a BERT is trained with. */
export const BERT_TOKENS = { pad: '[PAD]', cls: '[CLS]', sep: '[SEP]', mask: '[MASK]' } as const;

/** The ids of BERT's special tokens in a tokenizer. */
export interface BertTokenIds {
  pad: number;
  cls: number;
  sep: number;
  mask: number;
}

/** The ids of [PAD] [CLS] [SEP] [MASK]; a tokenizer without them is an error naming the missing one. */
export function bertTokenIds(tokenizer: Tokenizer): BertTokenIds {
  const id = (t: string) => {
    const v = tokenizer.tokenToId(t);
    if (v === undefined)
      throw new LmkitError(`the tokenizer has no ${t} token, which a BERT needs`, {
        hint: 'train the model with lmkit train --model bert, which adds [PAD] [CLS] [SEP] [MASK]',
      });
    return v;
  };
  return {
    pad: id(BERT_TOKENS.pad),
    cls: id(BERT_TOKENS.cls),
    sep: id(BERT_TOKENS.sep),
    mask: id(BERT_TOKENS.mask),
  };
}

/** How tokens are chosen for prediction. */
export interface MaskingOptions {
  /** The share of tokens (or words) chosen (BERT: 0.15). */
  probability: number;
  /** Choose whole words, all of a word's tokens together. */
  wholeWord: boolean;
}

/** What the masking needs to know about a vocabulary, computed once per tokenizer. */
export class MaskingVocabulary {
  readonly ids: BertTokenIds;
  /** The ordinary token ids (not special): the candidates for random replacement. */
  readonly ordinary: Int32Array;
  /** Per id: whether a token can begin a word (its text starts with white space, or the tokenizer is word-level). */
  private readonly opensWord: Uint8Array;
  /** Per id: whether a token's text ends in white space (the next token begins a word). */
  private readonly closesWord: Uint8Array;
  private readonly special: Uint8Array;

  /** Reads the tokenizer's specials and each token's text once. */
  constructor(tokenizer: Tokenizer) {
    this.ids = bertTokenIds(tokenizer);
    const V = tokenizer.vocabSize;
    this.opensWord = new Uint8Array(V);
    this.closesWord = new Uint8Array(V);
    this.special = new Uint8Array(V);
    const ordinary: number[] = [];
    const words = tokenizer.kind === 'word';
    for (let id = 0; id < V; id++) {
      const text = tokenizer.decode([id]); // special tokens decode to ''
      if (text === '') this.special[id] = 1;
      else ordinary.push(id);
      this.opensWord[id] = words || /^\s/u.test(text) ? 1 : 0;
      this.closesWord[id] = words || /\s$/u.test(text) ? 1 : 0;
    }
    for (const id of Object.values(this.ids)) this.special[id] = 1;
    this.ordinary = Int32Array.from(ordinary.filter((id) => !this.special[id]));
  }

  /** Whether an id is a special token (never chosen for prediction). */
  isSpecial(id: number): boolean {
    return this.special[id] === 1;
  }

  /** Word numbers of a token sequence: a token joins the previous one's word unless a boundary lies between. */
  wordIds(tokens: ArrayLike<number>): Int32Array {
    const out = new Int32Array(tokens.length);
    let word = -1;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (
        i === 0 ||
        this.special[t] ||
        this.special[tokens[i - 1]] ||
        this.opensWord[t] ||
        this.closesWord[tokens[i - 1]]
      )
        word++;
      out[i] = word;
    }
    return out;
  }
}

/**
 * Masks one row in place: `ids` (a framed window) gets [MASK] / random / kept tokens at the chosen
 * positions, `targets` (same length) the original tokens there and −100 elsewhere.
 */
export function maskRow(
  ids: Int32Array,
  targets: Int32Array,
  vocab: MaskingVocabulary,
  o: MaskingOptions,
  rng: Rng,
): void {
  targets.fill(-100);
  const chosen = new Uint8Array(ids.length);
  if (o.wholeWord) {
    const words = vocab.wordIds(ids);
    let word = -1;
    let pick = false;
    for (let i = 0; i < ids.length; i++) {
      if (vocab.isSpecial(ids[i])) continue;
      if (words[i] !== word) {
        word = words[i];
        pick = rng.uniform() < o.probability;
      }
      if (pick) chosen[i] = 1;
    }
  } else
    for (let i = 0; i < ids.length; i++)
      if (!vocab.isSpecial(ids[i]) && rng.uniform() < o.probability) chosen[i] = 1;
  for (let i = 0; i < ids.length; i++) {
    if (!chosen[i]) continue;
    targets[i] = ids[i];
    const r = rng.uniform();
    if (r < 0.8) ids[i] = vocab.ids.mask;
    else if (r < 0.9) ids[i] = vocab.ordinary[rng.int(vocab.ordinary.length)];
  }
}

/**
 * A masked-LM batch: B random windows of block_size − 2 stream tokens framed as [CLS] … [SEP], masked by
 * {@link maskRow}: inputs (B, block_size) and targets (B, block_size).
 */
export function maskedLMBatch(
  stream: Int32Array,
  batchSize: number,
  blockSize: number,
  vocab: MaskingVocabulary,
  o: MaskingOptions,
  rng: Rng,
): { x: IntTensor; y: IntTensor } {
  const T = blockSize;
  const W = T - 2;
  const x = new Int32Array(batchSize * T);
  const y = new Int32Array(batchSize * T);
  for (let b = 0; b < batchSize; b++) {
    const s = rng.int(Math.max(1, stream.length - W + 1));
    const row = x.subarray(b * T, (b + 1) * T);
    row[0] = vocab.ids.cls;
    row.set(stream.subarray(s, s + W), 1);
    row[T - 1] = vocab.ids.sep;
    maskRow(row, y.subarray(b * T, (b + 1) * T), vocab, o, rng);
  }
  return { x: new IntTensor(x, [batchSize, T]), y: new IntTensor(y, [batchSize, T]) };
}
