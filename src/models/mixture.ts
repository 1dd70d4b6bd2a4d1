/**
 * A mixture of two language models, interpolated token by token: p(w | h) = λ p₁(w | h) + (1 − λ) p₂(w | h),
 * as Bengio et al. (2003) mix their neural model with an interpolated trigram. Both models must split text
 * the same way over the same set of tokens; their ids may be numbered differently (an n-gram's `<unk>`,
 * `<s>`, `</s>`, words... against a word tokenizer's), so the second model's ids are mapped by token string.
 */
import { LmkitError } from '../errors.js';
import type { Preprocessing } from '../data/clean.js';
import { scoreWith, type DecoderState, type LanguageModel, type ScoreOptions } from '../lm.js';

/** Two models mixed with weight λ on the first; ids and the tokenizer are the first model's. */
export class MixtureModel implements LanguageModel {
  readonly kind = 'mixture';
  /** toSecond[id] = the second model's id of the first model's token `id`. */
  readonly toSecond: Int32Array;

  /** Checks that both models share tokenization and vocabulary, and that 0 ≤ λ ≤ 1. */
  constructor(
    readonly first: LanguageModel,
    readonly second: LanguageModel,
    readonly weight: number,
  ) {
    if (!(weight >= 0 && weight <= 1))
      throw new LmkitError(`the mixture weight must be between 0 and 1 (got ${weight})`);
    this.toSecond = vocabularyMap(first, second);
  }

  get tokenizer() {
    return this.first.tokenizer;
  }

  /** The shorter of the two contexts. */
  get contextLength(): number {
    return Math.min(this.first.contextLength, this.second.contextLength);
  }

  /** Starts both models after the prompt. */
  start(prompt: number[]): DecoderState {
    return new MixtureState(
      this,
      this.first.start(prompt),
      this.second.start(prompt.map((t) => this.secondId(t))),
    );
  }

  /** The first model's preparation of text (a mixture's two models are checked to prepare text alike). */
  get preprocessing(): Preprocessing | undefined {
    return this.first.preprocessing;
  }

  /** Sentences when both models score sentences by default, else a stream. */
  get evalMode(): 'sentences' | 'stream' {
    return this.first.evalMode === 'sentences' && this.second.evalMode === 'sentences'
      ? 'sentences'
      : 'stream';
  }

  /** The stride of the windowed model(s) among the two; two different defaults are an error. */
  scoreStride(stride?: number): number | null {
    const a = this.first.scoreStride?.(stride) ?? null;
    const b = this.second.scoreStride?.(stride) ?? null;
    if (a !== null && b !== null && a !== b)
      throw new LmkitError(`the two models of the mixture have different default strides (${a}, ${b})`, {
        hint: 'give --stride',
      });
    return a ?? b;
  }

  /** Each component scored its own fastest way (ids mapped for the second), mixed per token. */
  scoreSequences(sequences: readonly (readonly number[])[], o: ScoreOptions = {}): Float64Array[] {
    return this.scoreComponents(sequences, o).mixed;
  }

  /** The mixed scores, and each component's own scores of the same tokens. */
  scoreComponents(
    sequences: readonly (readonly number[])[],
    o: ScoreOptions = {},
  ): { mixed: Float64Array[]; first: Float64Array[]; second: Float64Array[] } {
    const inner = { stride: o.stride };
    const first = scoreWith(this.first, sequences, inner);
    const second = scoreWith(
      this.second,
      sequences.map((s) => s.map((t) => this.secondId(t))),
      inner,
    );
    let done = 0;
    const mixed = first.map((sa, k) => {
      const out = new Float64Array(sa.length);
      for (let i = 0; i < sa.length; i++) out[i] = mixLogProbs(sa[i], second[k][i], this.weight);
      done += sa.length;
      o.onProgress?.(done);
      return out;
    });
    return { mixed, first, second };
  }

  /** The second model's id of a first-model token id. */
  secondId(token: number): number {
    const id = this.toSecond[token];
    if (id === undefined)
      throw new LmkitError(`token id ${token} is outside the vocabulary of ${this.toSecond.length}`);
    return id;
  }
}

/** log(λ e^a + (1 − λ) e^b), computed without overflow or underflow; -Infinity when both are impossible. */
export function mixLogProbs(a: number, b: number, weight: number): number {
  const x = weight > 0 ? Math.log(weight) + a : -Infinity;
  const y = weight < 1 ? Math.log(1 - weight) + b : -Infinity;
  const m = Math.max(x, y);
  if (m === -Infinity) return -Infinity;
  return m + Math.log(Math.exp(x - m) + Math.exp(y - m));
}

/** Both models' decoding states, advanced together. */
class MixtureState implements DecoderState {
  constructor(
    private readonly model: MixtureModel,
    private readonly a: DecoderState,
    private readonly b: DecoderState,
  ) {}

  /** The mixed next-token log-probabilities, in the first model's ids. */
  logProbs(): Float32Array {
    const pa = this.a.logProbs();
    const pb = this.b.logProbs();
    const map = this.model.toSecond;
    const out = new Float32Array(pa.length);
    for (let i = 0; i < pa.length; i++) out[i] = mixLogProbs(pa[i], pb[map[i]], this.model.weight);
    return out;
  }

  /** Advances both models by one token. */
  push(token: number): void {
    this.a.push(token);
    this.b.push(this.model.secondId(token));
  }
}

/** The id map from `first`'s vocabulary to `second`'s; throws when tokenization or vocabulary differ. */
function vocabularyMap(first: LanguageModel, second: LanguageModel): Int32Array {
  const t1 = first.tokenizer;
  const t2 = second.tokenizer;
  const hint =
    'mix models trained on the same text with the same tokenizer (e.g. --tokenizer word for n-gram data)';
  if (t1.kind !== t2.kind)
    throw new LmkitError(
      `cannot mix a ${t1.kind}-level ${first.kind} model with a ${t2.kind}-level ${second.kind} model`,
      { hint },
    );
  if (t1.vocabSize !== t2.vocabSize)
    throw new LmkitError(
      `cannot mix models with different vocabularies: ${t1.vocabSize} tokens (${first.kind}) vs ${t2.vocabSize} (${second.kind})`,
      { hint },
    );
  const map = new Int32Array(t1.vocabSize);
  const missing: string[] = [];
  for (let id = 0; id < t1.vocabSize; id++) {
    const token = t1.idToToken(id);
    const other = t2.tokenToId(token);
    if (other === undefined) missing.push(token);
    else map[id] = other;
  }
  if (missing.length)
    throw new LmkitError(
      `cannot mix models with different vocabularies: ${missing.length} tokens of the ${first.kind} model are not in the ${second.kind} model's (e.g. ${missing
        .slice(0, 3)
        .map((t) => JSON.stringify(t))
        .join(', ')})`,
      { hint },
    );
  return map;
}
