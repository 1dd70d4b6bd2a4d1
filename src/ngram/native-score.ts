/**
 * Scoring text bytes with the `lmkit_io` addon (native/ngram.cc): words hashed straight from the bytes,
 * the probing index probed and log10 probabilities summed in C++, exactly as `Evaluator` and
 * `ProbingIndex.score` do in TypeScript (the same doubles in the same order, so the same totals to the
 * bit). The TypeScript path stays the reference and the fallback: `NativeScorer.of` is null without the
 * addon, for models whose words hold NUL, or when `LMKIT_NO_NATIVE_NGRAM=1`.
 */
import { ioAddon, type IoAddon } from '../util/io-addon.js';
import type { BackoffModel } from './backoff-model.js';

/** Line handling of {@link NativeScorer.score}. */
export const ScoreMode = {
  /** Lines are trimmed as JavaScript trims; blank lines are no sentences (as `lmkit ngram eval` reads files). */
  trimSkipBlank: 1,
  /** CR and CRLF end a line as LF does (else CR separates words, as in KenLM's query). */
  crEndsLine: 2,
  /** ASCII letters are lowercased; only for ASCII text (lowercase other text first). */
  lowercaseAscii: 4,
} as const;

/** Which sentences count: all, the mod10 training split (all but every tenth) or its test split (every tenth). */
export type Mod10 = 'all' | 'train' | 'test';

/** Totals as the native scorer keeps them (the order of its `totals` array). */
export interface NativeTotals {
  sentences: number;
  tokens: number;
  oov: number;
  log10Prob: number;
  log10ProbOov: number;
  zeroProb: number;
  zeroProbOov: number;
  /** Non-blank lines read (with `trimSkipBlank`; the split's other sentences included). */
  seen: number;
}

/** One scored token of {@link NativeScorer.scoreTokens}: its id, matched length, log10 p and bytes in the text. */
export interface NativeToken {
  id: number;
  matched: number;
  log10p: number;
  start: number;
  length: number;
}

type Score = NonNullable<IoAddon['ngramScoreText']>;

/** A model's vocabulary hash and index geometry, ready for the addon. */
export class NativeScorer {
  /** [sentences, tokens, oov, log10 p, log10 p of OOVs, zero-probability tokens, of which OOV, sentences seen]. */
  private readonly totals = new Float64Array(8);

  private constructor(
    private readonly run: Score,
    private readonly vocabBytes: Uint8Array,
    private readonly vocabIndex: Int32Array,
    private readonly model: BackoffModel,
    private readonly geometry: Float64Array,
  ) {}

  /** The native scorer of `model`, or null when scoring must stay in TypeScript. */
  static of(model: BackoffModel): NativeScorer | null {
    if (process.env.LMKIT_NO_NATIVE_NGRAM === '1') return null;
    const io = ioAddon();
    if (!io?.ngramScoreText || !io.ngramVocabIndex) return null;
    const vocabBytes = model.vocab.joinedBytes();
    const vocabIndex = io.ngramVocabIndex(vocabBytes, model.vocab.size);
    if (!vocabIndex) return null; // a word holds NUL
    const { order, layout, missingContextBackoff } = model.index;
    const geometry = [order, missingContextBackoff];
    for (let n = 2; n <= order; n++) geometry.push(layout.base[n], layout.capacity[n], layout.stride[n]);
    return new NativeScorer(
      io.ngramScoreText.bind(io),
      vocabBytes,
      vocabIndex,
      model,
      Float64Array.from(geometry),
    );
  }

  /**
   * Scores the lines of text[from..to) (`to` at the end of a line) into the running totals. Returns -1,
   * or the byte offset of a `<s>` or `</s>` found in the text (the caller reports it).
   */
  score(text: Uint8Array, from: number, to: number, mode: number, split: Mod10 = 'all'): number {
    return this.call(text, from, to, mode, split, null);
  }

  /**
   * Scores text[from..to) sentence by sentence with per-token results (for `lmkit ngram query`): each
   * sentence's tokens, `</s>` last. Throws nothing for `<s>`/`</s>`: returns their offset as a number.
   */
  scoreTokens(text: Uint8Array, from: number, to: number, mode: number): NativeToken[][] | number {
    let lines = 1;
    let words = 0;
    for (let i = from; i < to; i++) {
      if (text[i] === 0x0a) lines++;
      else if (text[i] === 0x20 || text[i] === 0x09 || text[i] === 0x0d || text[i] === 0) words++;
    }
    // At most one token per separator and line, plus each sentence's `</s>` and end mark.
    const out = new Float64Array(5 * (words + lines) + 6 * lines + 6);
    const before = this.totals[0];
    const at = this.call(text, from, to, mode, 'all', out);
    if (at >= 0) return at;
    const count = this.totals[0] - before;
    const sentences: NativeToken[][] = [];
    let sentence: NativeToken[] = [];
    for (let k = 0; sentences.length < count;) {
      if (out[k] === -1) {
        sentences.push(sentence);
        sentence = [];
        k++;
        continue;
      }
      sentence.push({
        id: out[k],
        matched: out[k + 1],
        log10p: out[k + 2],
        start: out[k + 3],
        length: out[k + 4],
      });
      k += 5;
    }
    return sentences;
  }

  /** The totals so far. */
  result(): NativeTotals {
    const t = this.totals;
    return {
      sentences: t[0],
      tokens: t[1],
      oov: t[2],
      log10Prob: t[3],
      log10ProbOov: t[4],
      zeroProb: t[5],
      zeroProbOov: t[6],
      seen: t[7],
    };
  }

  private call(
    text: Uint8Array,
    from: number,
    to: number,
    mode: number,
    split: Mod10,
    perToken: Float64Array | null,
  ): number {
    const index = this.model.index;
    return this.run(
      this.vocabBytes,
      this.vocabIndex,
      index.unigram,
      index.slots,
      this.geometry,
      text,
      from,
      to,
      mode,
      split === 'all' ? 0 : split === 'train' ? 1 : 2,
      this.totals,
      perToken,
    );
  }
}
