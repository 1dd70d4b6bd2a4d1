/**
 * Perplexity and bits per character of any language model on sentences, with one rule for every kind so
 * that the numbers sit in one table:
 * - The scored tokens are each sentence's tokens followed by one end-of-sentence token: the line break's
 *   token(s) when the tokenizer has them (character and BPE models, trained on lines joined by "\n"), else
 *   `</s>` (word-level models and every n-gram model, trained with `</s>` after each sentence). So the
 *   same sentences give the same token count under any model with the same tokenizer.
 * - `sentences` mode: every sentence is scored from the model's start (an n-gram's `<s>`, an NPLM's
 *   padding, a GPT's start tokens), as KenLM and `lmkit ngram eval` do; context never crosses sentences.
 * - `stream` mode: the sentences are one token stream, scored from one start; context crosses sentence
 *   ends (up to the model's context length; a GPT slides its window, see sequence-scores.ts).
 * The default mode is `sentences` for models of short fixed context (n-gram, NPLM, a mixture of them) and
 * `stream` for the others (GPT, RNN). Perplexity = exp(−Σ ln p / tokens); bits per token = −Σ log₂ p / tokens; bits per
 * character = −Σ log₂ p / characters, characters being the sentences' code points plus one per sentence end.
 * `<unk>` targets (OOV) are scored like any token and counted.
 *
 * A model that read its training text as written (a GPT or RNN on characters or bytes, trained without
 * `--sentences`) is scored on text as written instead ({@link evaluateText}): the text's own tokens as one
 * stream (the stream training made of it, see encodeStream), characters being its code points, so a loss
 * compares with nanoGPT's on the same file.
 */
import { LmkitError } from '../errors.js';
import type { LanguageModel } from '../lm.js';
import { encodeStream, lineBreakTokens } from '../tokenizers/line-break.js';
import { scoreSequences, strideFor } from './sequence-scores.js';

/** Whether context restarts at every sentence or runs through the whole text. */
export type EvalMode = 'sentences' | 'stream';

export const EVAL_MODES: readonly EvalMode[] = ['sentences', 'stream'];

/** How to evaluate. */
export interface EvalOptions {
  /** Default: {@link defaultMode}. */
  mode?: EvalMode;
  /** GPT sliding-window stride (default ⌈block_size / 2⌉). */
  stride?: number;
  /** Score through the generic decoding state only (slow; for checking the fast paths). */
  generic?: boolean;
  /** Fail when more than half of the words are `<unk>` unless set (the text is probably tokenized differently). */
  allowOov?: boolean;
  /** Called with tokens scored so far and the total: once with 0 before scoring starts, then as tokens are scored. */
  onProgress?(done: number, total: number): void;
}

/** What an evaluation measured. */
export interface EvalResult {
  /** What was scored: sentences, each ending in its end token, or a text as written. */
  text: 'sentences' | 'as-written';
  mode: EvalMode;
  /** GPT window stride; null for other kinds. */
  stride: number | null;
  /** Sentences scored (0 for a text as written). */
  sentences: number;
  /** Scored tokens: sentence tokens plus one end-of-sentence token (or line break's tokens) per sentence. */
  tokens: number;
  /** Characters: code points of the sentences plus one per sentence end (of a text as written: its code points). */
  characters: number;
  /** Targets that are the unknown token. */
  oov: number;
  /** Targets with probability 0 (they make perplexity infinite). */
  zeroProbEvents: number;
  /** −Σ ln p over the finite-probability tokens. */
  nats: number;
  perplexity: number;
  bitsPerToken: number;
  bitsPerChar: number;
  seconds: number;
  /** A mixture's two models scored alone on the same tokens (same pass; absent with `generic`). */
  components?: ComponentResult[];
  /** Each reading of a model that has several (a biLM's forward and backward LMs) on the same sequences. */
  readings?: ReadingResult[];
}

/** One reading's score of the evaluated sequences (its own tokens: as many as the model's). */
export interface ReadingResult extends ComponentResult {
  name: string;
}

/** One mixture component's own score on the evaluated tokens. */
export interface ComponentResult {
  nats: number;
  zeroProbEvents: number;
  perplexity: number;
}

/** The mode used when none is asked for: the model's own (sentences for a short fixed context), else stream. */
export function defaultMode(model: LanguageModel): EvalMode {
  return model.evalMode ?? 'stream';
}

/** The token ids that end a sentence for this model: what separates lines in its training stream. */
export function sentenceEnd(model: LanguageModel): number[] {
  const end = lineBreakTokens(model.tokenizer);
  if (end.length === 0)
    throw new LmkitError(
      `the ${model.kind} model's tokenizer has neither a line-break token nor </s> to end sentences with`,
    );
  return end;
}

/** Encodes sentences with the model's tokenizer; a sentence holding a reserved boundary token is an error. */
export function encodeSentences(model: LanguageModel, sentences: readonly string[]): number[][] {
  const t = model.tokenizer;
  const end = sentenceEnd(model);
  const reserved = new Set([t.special.bos, ...(end.length === 1 ? end : [])]);
  return sentences.map((s) => {
    const ids = t.encode(s);
    const bad = ids.find((id) => reserved.has(id));
    if (bad !== undefined)
      throw new LmkitError(`the text contains the reserved token ${t.idToToken(bad)}`, {
        hint: 'sentence boundaries are added automatically: remove <s> and </s> from the input',
      });
    return ids;
  });
}

/** Evaluates `model` on `sentences` (already preprocessed as the model was trained; see the module comment). */
export function evaluatePerplexity(
  model: LanguageModel,
  sentences: readonly string[],
  o: EvalOptions = {},
): EvalResult {
  const started = performance.now();
  if (sentences.length === 0)
    throw new LmkitError('there is no text to evaluate on (0 sentences)', {
      hint: 'check the file, or the --split of the dataset',
    });
  const mode = o.mode ?? defaultMode(model);
  if (!EVAL_MODES.includes(mode))
    throw new LmkitError(`mode must be one of ${EVAL_MODES.join(', ')} (got '${String(mode)}')`);
  const end = sentenceEnd(model);
  const encoded = encodeSentences(model, sentences).map((ids) => [...ids, ...end]);
  let characters = 0;
  for (const s of sentences) characters += [...s].length + 1;
  const sequences = mode === 'sentences' ? encoded : [encoded.flat()];
  return {
    text: 'sentences',
    mode,
    sentences: sentences.length,
    ...scoreTokens(model, sequences, end.length * encoded.length, characters, o),
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Evaluates `model` on a text as written (prepared as the model's training text was): its tokens, as the
 * training stream holds them, scored as one stream from the model's start.
 */
export function evaluateText(model: LanguageModel, text: string, o: EvalOptions = {}): EvalResult {
  const started = performance.now();
  if (!/\S/u.test(text))
    throw new LmkitError('there is no text to evaluate on (it is empty)', { hint: 'check the file' });
  if (o.mode === 'sentences')
    throw new LmkitError(
      '--mode sentences scores sentence by sentence, but this model read its training text as written',
      { hint: 'drop --mode: text as written is scored as one stream' },
    );
  const ids = Array.from(encodeStream(model.tokenizer, text));
  const bos = model.tokenizer.special.bos;
  if (bos !== undefined && ids.includes(bos))
    throw new LmkitError(`the text contains the reserved token ${model.tokenizer.idToToken(bos)}`, {
      hint: 'remove <s> from the input',
    });
  // word-level streams add </s> after each line: those are the stream's own boundaries, not words
  const boundaries = model.tokenizer.kind === 'word' ? text.split('\n').length : 0;
  return {
    text: 'as-written',
    mode: 'stream',
    sentences: 0,
    ...scoreTokens(model, [ids], boundaries, [...text].length, o),
    seconds: (performance.now() - started) / 1000,
  };
}

/** Scores token sequences and sums what {@link EvalResult} reports; `boundaries` of the tokens are not words. */
function scoreTokens(
  model: LanguageModel,
  sequences: readonly (readonly number[])[],
  boundaries: number,
  characters: number,
  o: EvalOptions,
): Omit<EvalResult, 'text' | 'mode' | 'sentences' | 'seconds'> {
  const stride = strideFor(model, o.stride);
  if (stride === null && o.stride !== undefined)
    throw new LmkitError(
      `--stride is for models that score in windows, such as a GPT (this is a ${model.kind} model)`,
      {
        hint: 'drop --stride: other kinds score every token with their whole context',
      },
    );
  const unk = model.tokenizer.special.unk;
  let oov = 0;
  let tokens = 0;
  for (const ids of sequences) {
    tokens += ids.length;
    for (const id of ids) if (id === unk) oov++;
  }
  const words = tokens - boundaries;
  if (!o.allowOov && words >= 20 && oov > 0.5 * words)
    throw new LmkitError(
      `${oov} of ${words} tokens (${((100 * oov) / words).toFixed(0)}%) are unknown to the model: ` +
        'the text seems tokenized differently from its training text (word vs character level, case, spacing)',
      { hint: 'evaluate on text prepared like the training text, or pass --allow-oov to score anyway' },
    );
  let components: ComponentResult[] | undefined;
  o.onProgress?.(0, tokens);
  const scores = scoreSequences(model, sequences, {
    stride: stride ?? undefined,
    generic: o.generic,
    onProgress: (done) => o.onProgress?.(done, tokens),
    onComponents: (a, b) => {
      components = [a, b].map((s) => {
        const t = totals(s);
        return {
          nats: t.nats,
          zeroProbEvents: t.zero,
          perplexity: t.zero > 0 ? Infinity : Math.exp(t.nats / tokens),
        };
      });
    },
  });
  const readings =
    o.generic || !model.scoreReadings
      ? undefined
      : model.scoreReadings(sequences, { stride: stride ?? undefined }).map(({ name, scores: s }) => {
          const t = totals(s);
          return {
            name,
            nats: t.nats,
            zeroProbEvents: t.zero,
            perplexity: t.zero > 0 ? Infinity : Math.exp(t.nats / tokens),
          };
        });
  const { nats, zero } = totals(scores);
  const bits = zero > 0 ? Infinity : nats / Math.LN2;
  return {
    stride,
    tokens,
    characters,
    oov,
    zeroProbEvents: zero,
    nats,
    perplexity: zero > 0 ? Infinity : Math.exp(nats / tokens),
    bitsPerToken: bits / tokens,
    bitsPerChar: bits / characters,
    ...(components ? { components } : {}),
    ...(readings ? { readings } : {}),
  };
}

/** −Σ ln p over finite log-probabilities, and the count of −∞ ones. */
function totals(scores: Float64Array[]): { nats: number; zero: number } {
  let nats = 0;
  let zero = 0;
  for (const s of scores)
    for (const lp of s) {
      if (lp === -Infinity) zero++;
      else nats -= lp;
    }
  return { nats, zero };
}
