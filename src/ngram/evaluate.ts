/**
 * Scoring text with an n-gram model, like KenLM's `query`: each sentence starts after `<s>` and
 * scores every word plus `</s>`; an out-of-vocabulary word is scored as `<unk>` in its context.
 * Perplexity is over the whole file: 10^(−Σ log10 p / tokens), with and without OOV tokens.
 */
import { LmkitError } from '../errors.js';
import type { BackoffModel, ScoreState } from './backoff-model.js';
import type { NativeTotals } from './native-score.js';
import { BOS_WORD, EOS, EOS_WORD, UNK } from './vocabulary.js';

/** One scored token. */
export interface TokenScore {
  word: string;
  id: number;
  /** Length of the longest stored n-gram ending in this word. */
  matched: number;
  log10p: number;
  oov: boolean;
}

/** Totals over a text. */
export interface EvalSummary {
  sentences: number;
  /** Scored tokens: words plus one `</s>` per sentence. */
  tokens: number;
  oov: number;
  log10Prob: number;
  log10ProbOov: number;
  /** Tokens the model gives probability 0 (MLE on unseen events); they make perplexity infinite. */
  zeroProbEvents: number;
  perplexity: number;
  perplexityExclOov: number;
}

/** Scores one sentence's tokens, returning per-token scores (`</s>` included). */
export function scoreSentence(model: BackoffModel, tokens: readonly string[]): TokenScore[] {
  const state = model.beginSentence();
  const out: TokenScore[] = [];
  for (let i = 0; i <= tokens.length; i++) {
    const word = i < tokens.length ? tokens[i] : EOS_WORD;
    const id = i < tokens.length ? wordId(model, word) : EOS;
    const log10p = model.score(state, id, state);
    out.push({ word, id, matched: model.lastMatched, log10p, oov: id === UNK });
  }
  return out;
}

/** Accumulates scores sentence by sentence into a summary. */
export class Evaluator {
  private sentences = 0;
  private tokens = 0;
  private oov = 0;
  private log10Prob = 0;
  private log10ProbOov = 0;
  private zeroProb = 0;
  private zeroProbOov = 0;
  /** One state reused sentence after sentence (allocating one per sentence costs about 2% of scoring). */
  private readonly state: ScoreState;

  constructor(private readonly model: BackoffModel) {
    this.state = model.beginSentence();
  }

  /** Scores one sentence (fast path: no per-token objects) and returns its total log10 probability. */
  add(tokens: readonly string[]): number {
    const model = this.model;
    const state = model.beginSentence(this.state);
    const before = this.log10Prob;
    for (let i = 0; i <= tokens.length; i++) {
      const id = i < tokens.length ? wordId(model, tokens[i]) : EOS;
      this.count(model.score(state, id, state), id === UNK);
    }
    this.sentences++;
    return this.log10Prob - before;
  }

  /** Scores one sentence given as word ids ids[0..len) (`</s>` is added) and returns its total log10 probability. */
  addIds(ids: Int32Array, len: number): number {
    const model = this.model;
    const state = model.beginSentence(this.state);
    const before = this.log10Prob;
    for (let i = 0; i <= len; i++) {
      const id = i < len ? ids[i] : EOS;
      this.count(model.score(state, id, state), id === UNK);
    }
    this.sentences++;
    return this.log10Prob - before;
  }

  /** Adds totals counted elsewhere (the native scorer's, counted the same way). */
  addTotals(t: NativeTotals): void {
    this.sentences += t.sentences;
    this.tokens += t.tokens;
    this.oov += t.oov;
    this.log10Prob += t.log10Prob;
    this.log10ProbOov += t.log10ProbOov;
    this.zeroProb += t.zeroProb;
    this.zeroProbOov += t.zeroProbOov;
  }

  /** Records an already scored sentence (from `scoreSentence`). */
  addScored(scores: readonly TokenScore[]): void {
    for (const t of scores) this.count(t.log10p, t.oov);
    this.sentences++;
  }

  private count(log10p: number, oov: boolean): void {
    this.tokens++;
    if (log10p === -Infinity) this.zeroProb++;
    else this.log10Prob += log10p;
    if (oov) {
      this.oov++;
      if (log10p === -Infinity) this.zeroProbOov++;
      else this.log10ProbOov += log10p;
    }
  }

  /** The totals and perplexities so far. */
  summary(): EvalSummary {
    const inVocab = this.tokens - this.oov;
    const inVocabLog10 = this.log10Prob - this.log10ProbOov;
    return {
      sentences: this.sentences,
      tokens: this.tokens,
      oov: this.oov,
      log10Prob: this.log10Prob,
      log10ProbOov: this.log10ProbOov,
      zeroProbEvents: this.zeroProb,
      perplexity: this.zeroProb > 0 ? Infinity : Math.pow(10, -this.log10Prob / this.tokens),
      perplexityExclOov:
        this.zeroProb - this.zeroProbOov > 0
          ? Infinity
          : inVocab > 0
            ? Math.pow(10, -inVocabLog10 / inVocab)
            : NaN,
    };
  }
}

/** The id to score a word as: its own, or `<unk>`'s; sentence markers in the text are an error. */
function wordId(model: BackoffModel, word: string): number {
  if (word === BOS_WORD || word === EOS_WORD) {
    throw new LmkitError(`the text contains the reserved token ${word}`, {
      hint: 'sentence boundaries are added automatically: remove <s> and </s> from the input',
    });
  }
  return model.vocab.lookup(word) ?? UNK;
}
