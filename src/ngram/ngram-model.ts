/**
 * An n-gram model as a `LanguageModel`: the backoff model plus its tokenizer, so evaluation,
 * sampling, chat and serving treat it like any neural model. Loads and saves ARPA or binary files.
 */
import { gunzipSync } from 'node:zlib';
import type { Preprocessing } from '../data/clean.js';
import { LmkitError } from '../errors.js';
import type { DecoderState, DrawOptions, LanguageModel, ScoreOptions } from '../lm.js';
import type { Rng } from '../util/rng.js';
import { BackoffSampler } from './sampler.js';
import { checkTokenId, type SpecialTokens, type Tokenizer } from '../tokenizers/tokenizer.js';
import { checkModelPath } from '../models/what-is-this-path.js';
import { readFileMapped } from '../util/map-file.js';
import { parseArpa, writeArpa } from './arpa.js';
import type { BackoffModel, ScoreState } from './backoff-model.js';
import { isBinaryModel, readBinary, writeBinary } from './binary.js';
import { detokenize, tokenizeSentence, type TokenLevel } from './tokenize.js';
import { BOS, EOS, UNK } from './vocabulary.js';

/** Text <-> ids with an n-gram model's own vocabulary (`<unk>`=0, `<s>`=1, `</s>`=2). */
export class NGramTokenizer implements Tokenizer {
  readonly special: SpecialTokens = { unk: UNK, bos: BOS, eos: EOS };

  constructor(private readonly model: BackoffModel) {}

  get kind(): TokenLevel {
    return this.model.info.level;
  }

  get vocabSize(): number {
    return this.model.vocab.size;
  }

  /** Splits text at the model's level (words or characters) and maps tokens to ids. */
  encode(text: string): number[] {
    return tokenizeSentence(text, this.kind).map((t) => this.model.vocab.idOf(t));
  }

  /** Joins ids back into text, dropping `<s>` and `</s>`. */
  decode(ids: readonly number[]): string {
    return detokenize(
      ids.filter((id) => id !== BOS && id !== EOS).map((id) => this.idToToken(id)),
      this.kind,
    );
  }

  /** The string of one id. */
  idToToken(id: number): string {
    const w = this.model.vocab.words[id];
    if (w === undefined)
      throw new LmkitError(`token id ${id} is outside the vocabulary of ${this.vocabSize}`);
    return w;
  }

  /** The id of a token, if in the vocabulary. */
  tokenToId(token: string): number | undefined {
    return this.model.vocab.lookup(token);
  }
}

/** An n-gram language model. */
export class NGramModel implements LanguageModel {
  readonly kind = 'ngram';
  readonly tokenizer: NGramTokenizer;
  /** An n-gram model scores sentences one by one, each from `<s>`. */
  readonly evalMode = 'sentences';
  /**
   * The backoff model's own score of each token after `<s>` (log10 p × ln 10), as `lmkit ngram eval` sums
   * it, instead of a whole distribution per token; absent for stupid backoff, whose scores are not
   * probabilities (its decoding states renormalise them).
   */
  readonly scoreSequences?: (sequences: readonly (readonly number[])[], o?: ScoreOptions) => Float64Array[];

  constructor(readonly backoff: BackoffModel) {
    this.tokenizer = new NGramTokenizer(backoff);
    if (backoff.info.estimator !== 'stupid') this.scoreSequences = (seqs, o) => this.scoreAll(seqs, o);
  }

  /** The preparation the model's training text had (recorded in its details), applied to text it is given. */
  get preprocessing(): Preprocessing {
    const d = this.backoff.info.details ?? {};
    return {
      lowercase: d.lowercase === true,
      clean: d.clean === true,
      tokenize: d.tokenize === true,
      sentences: true, // an n-gram's unit is the sentence
    };
  }

  /** N − 1 words of context. */
  get contextLength(): number {
    return this.backoff.order - 1;
  }

  /** Starts after `<s>` and the prompt's tokens. */
  start(prompt: number[]): DecoderState {
    const state = this.backoff.beginSentence();
    for (const t of prompt) this.backoff.advance(state, t, state);
    return new NGramDecoderState(
      this.backoff,
      state,
      () => (this.sampler ??= new BackoffSampler(this.backoff)),
    );
  }

  /** Draws next words without the whole distribution; shared by this model's states (draws are synchronous). */
  private sampler?: BackoffSampler;

  private scoreAll(sequences: readonly (readonly number[])[], o: ScoreOptions = {}): Float64Array[] {
    const backoff = this.backoff;
    let done = 0;
    return sequences.map((seq) => {
      const state = backoff.beginSentence();
      const out = new Float64Array(seq.length);
      for (let i = 0; i < seq.length; i++) {
        checkTokenId(seq[i], backoff.vocab.size);
        out[i] = backoff.score(state, seq[i], state) * Math.LN10;
      }
      done += seq.length;
      o.onProgress?.(done);
      return out;
    });
  }

  /** Loads an ARPA (plain or gzip) or binary model, detected from the file's first bytes. */
  static load(path: string): NGramModel {
    checkModelPath(path, { ngramOnly: true });
    let bytes: Buffer;
    try {
      bytes = readFileMapped(path);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new LmkitError(
        e.code === 'ENOENT' ? `model file ${path} does not exist` : `cannot read model ${path}: ${e.message}`,
        { hint: e.code === 'ENOENT' ? "train one with 'lmkit ngram train'" : undefined },
      );
    }
    if (isBinaryModel(bytes)) return new NGramModel(readBinary(path, bytes));
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    if (bytes.subarray(0, 4096).includes(0)) {
      throw new LmkitError(
        `${path} is neither an ARPA file nor an lmkit binary model (it contains binary data)`,
      );
    }
    return new NGramModel(parseArpa(bytes, path));
  }

  /** Saves as binary when the path ends in .bin, else as ARPA text. */
  save(path: string): void {
    if (path.endsWith('.bin')) writeBinary(this.backoff, path);
    else writeArpa(this.backoff, path);
  }
}

/** The decoding state of an n-gram model: the stored contexts ending at the last token. */
class NGramDecoderState implements DecoderState {
  private dist?: Float64Array;

  constructor(
    private readonly model: BackoffModel,
    private readonly state: ScoreState,
    private readonly sampler: () => BackoffSampler,
  ) {}

  /** The next token, drawn from the stored continuations of the context and the backoff mass (ngram/sampler.ts). */
  sample(o: DrawOptions, rng: Rng, seen?: ReadonlyMap<number, number>): number | undefined {
    return this.sampler().sample(this.state, o, rng, seen);
  }

  /** Natural-log next-token probabilities, renormalised (a no-op for Kneser-Ney, needed for stupid backoff). */
  logProbs(): Float32Array {
    this.dist ??= new Float64Array(this.model.vocab.size);
    const p = this.model.distribution(this.state, this.dist);
    let sum = 0;
    for (let i = 0; i < p.length; i++) sum += p[i];
    const out = new Float32Array(p.length);
    if (!(sum > 0)) return out.fill(-Infinity); // e.g. MLE after an unseen context: nothing can follow
    const logSum = Math.log(sum);
    for (let i = 0; i < p.length; i++) out[i] = Math.log(p[i]) - logSum;
    return out;
  }

  /** Advances by one token. */
  push(token: number): void {
    this.model.advance(this.state, token, this.state);
  }
}
