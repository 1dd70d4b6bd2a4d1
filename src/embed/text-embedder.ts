/**
 * One vector for a piece of text, whatever holds the vectors: word vectors (the mean of the vectors of
 * the text's words, words without one skipped and counted) or a language model with an `embed`
 * capability (a GPT's mean last hidden state). The server's /v1/embeddings is written against this.
 */
import type { LanguageModel } from '../lm.js';
import { splitRegex, splitWhitespace } from '../tokenizers/word.js';
import type { KeyedVectors } from './keyed-vectors.js';

/** A text's embedding and what went into it. */
export interface TextEmbedding {
  vector: Float32Array;
  /** Tokens read from the text (the usage figure). */
  tokens: number;
  /** Tokens that had no vector and were left out. */
  skipped: number;
}

/** Turns text into one vector of `dim` numbers. */
export interface TextEmbedder {
  readonly dim: number;
  /** What the vectors are (for /v1/models): "word2vec", "gpt", ... */
  readonly kind: string;
  embed(text: string): TextEmbedding;
}

/**
 * Word vectors as a text embedder. How text is cut follows the vocabulary: into characters when nearly
 * every word is one character (Chinese character vectors), else at whitespace, a piece without a vector
 * being cut again by the regex pre-tokenizer ("king." → "king", "."); lowercased when the vocabulary has
 * no capital letters.
 */
export function wordVectorsEmbedder(kv: KeyedVectors): TextEmbedder {
  let single = 0;
  let capitals = false;
  for (const w of kv.words) {
    if ([...w].length === 1) single++;
    if (!capitals && w !== w.toLowerCase()) capitals = true;
  }
  const chars = single >= 0.9 * kv.size;
  const D = kv.dim;
  return {
    dim: D,
    kind: 'word2vec',
    embed(text) {
      const prepared = capitals ? text : text.toLowerCase();
      const tokens = chars
        ? [...prepared].filter((c) => !/\s/.test(c))
        : splitWhitespace(prepared).flatMap((w) => (kv.indexOf(w) === undefined ? splitRegex(w) : [w]));
      const sum = new Float64Array(D);
      let used = 0;
      for (const t of tokens) {
        const i = kv.indexOf(t);
        if (i === undefined) continue;
        for (let d = 0; d < D; d++) sum[d] += kv.vectors[i * D + d];
        used++;
      }
      return {
        vector: Float32Array.from(sum, (v) => v / Math.max(1, used)),
        tokens: tokens.length,
        skipped: tokens.length - used,
      };
    },
  };
}

/** A language model with an `embed` capability as a text embedder (text prepared by `normalize`); null without one. */
export function modelEmbedder(
  model: LanguageModel,
  normalize: (text: string) => string,
): TextEmbedder | null {
  const embed = model.embed?.bind(model);
  if (!embed) return null;
  const dim = embed([]).length;
  return {
    dim,
    kind: model.kind,
    embed(text) {
      const ids = model.tokenizer.encode(normalize(text));
      return { vector: embed(ids), tokens: ids.length, skipped: 0 };
    },
  };
}
