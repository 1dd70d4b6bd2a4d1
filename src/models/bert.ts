/**
 * A BERT masked language model (the network is nn/bert.ts) as a `LanguageModel`. A checkpoint is a folder
 * with `config.json` (lmkit's names and Hugging Face's `BertConfig` keys, `model_type: "bert"`,
 * `architectures: ["BertForMaskedLM"]`), `model.safetensors` under `BertForMaskedLM`'s tensor names (the tied
 * decoder stored once, as the word embeddings) and `tokenizer.json` (lmkit's, with [PAD] [CLS] [SEP] [MASK]).
 *
 * It cannot generate text left to right (`start` says so). It scores text by pseudo-log-likelihood
 * (Salazar et al., 2020): each token masked in turn and predicted from every other token of a window of
 * block_size − 2 tokens around it framed as [CLS] … [SEP]; `lmkit eval` reports exp(−mean) as the
 * pseudo-perplexity. It fills masks (`fillMask`, Hugging Face's fill-mask pipeline).
 */
import type { Preprocessing } from '../data/clean.js';
import { LmkitError } from '../errors.js';
import type { DecoderState, FillMaskPrediction, LanguageModel, ScoreOptions } from '../lm.js';
import { BertForMaskedLM } from '../nn/bert.js';
import { BERT_CONFIG_KEYS, validateBertConfig, type BertConfig } from '../nn/bert-config.js';
import { flag } from '../nn/config-checks.js';
import { gatherRows } from '../tensor/ops/gather.js';
import { reshape } from '../tensor/ops/shape.js';
import { logSoftmax } from '../tensor/ops/softmax.js';
import { IntTensor, noGrad, tidy } from '../tensor/tensor.js';
import { addSpecialTokens } from '../tokenizers/add-special-tokens.js';
import { checkTokenId } from '../tokenizers/tokenizer.js';
import type { SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import type { Rng } from '../util/rng.js';
import { BERT_TOKENS, MaskingVocabulary, maskedLMBatch, type MaskingOptions } from './bert-masking.js';
import { checkConfigVocab, loadCheckpoint, saveCheckpoint } from './checkpoint.js';

/** A BERT's config plus how its masked-LM training chooses tokens (not part of the architecture). */
export interface BertMLMConfig extends BertConfig {
  /** The share of tokens chosen for prediction (BERT: 0.15). */
  mlm_probability: number;
  /** Choose whole words, all of their tokens together. */
  whole_word_masking: boolean;
}

/** Masked-LM settings when none are given: BERT's. */
export const MLM_DEFAULTS = { mlm_probability: 0.15, whole_word_masking: false } as const;

/** The activations one scoring pass may hold, in floats (16 MB): rows are batched up to this. */
const SCORE_BUDGET_FLOATS = 1 << 22;

/** The tokenizer with BERT's special tokens [PAD] [CLS] [SEP] [MASK] (unchanged when it has them). */
export function withBertTokens(tokenizer: SavableTokenizer): SavableTokenizer {
  return addSpecialTokens(tokenizer, Object.values(BERT_TOKENS)).tokenizer;
}

/** A BERT masked language model: network, tokenizer and config. */
export class BertMaskedLM implements LanguageModel {
  readonly kind = 'bert';
  readonly scoring = 'pseudo';
  readonly net: BertForMaskedLM;
  readonly config: BertMLMConfig;
  readonly vocab: MaskingVocabulary;
  preprocessing?: Preprocessing;

  /** A freshly initialized BERT (seeded) for a tokenizer holding BERT's special tokens. */
  constructor(
    config: Partial<BertMLMConfig>,
    readonly tokenizer: SavableTokenizer,
    seed = 0,
  ) {
    this.config = validateMLMConfig(config);
    checkConfigVocab('BERT', this.config.vocab_size, tokenizer);
    this.vocab = new MaskingVocabulary(tokenizer);
    this.net = new BertForMaskedLM(this.config, seed);
    this.net.eval();
  }

  /** The longest text it reads: block_size tokens, [CLS] and [SEP] included. */
  get contextLength(): number {
    return this.config.block_size;
  }

  /** How masking chooses tokens. */
  get masking(): MaskingOptions {
    return { probability: this.config.mlm_probability, wholeWord: this.config.whole_word_masking };
  }

  /** A BERT does not decode left to right: always an error saying what to use. */
  start(): DecoderState {
    throw new LmkitError(
      'a BERT is a masked language model: it predicts masked tokens from both sides and cannot generate text left to right',
      {
        hint: 'fill masks with lmkit fill-mask DIR "the [MASK] was fair", score text with lmkit eval (pseudo-perplexity), or generate with a GPT',
      },
    );
  }

  /** A masked-LM training batch drawn from a token stream (see bert-masking.ts). */
  trainingBatch(
    stream: Int32Array,
    batchSize: number,
    blockSize: number,
    rng: Rng,
  ): { x: IntTensor; y: IntTensor } {
    return maskedLMBatch(stream, batchSize, blockSize, this.vocab, this.masking, rng);
  }

  /** Pseudo-log-likelihood of every token of every sequence (see the module comment). */
  scoreSequences(sequences: readonly (readonly number[])[], o: ScoreOptions = {}): Float64Array[] {
    let done = 0;
    return sequences.map((seq) => {
      for (const t of seq) checkTokenId(t, this.config.vocab_size);
      const out = new Float64Array(seq.length);
      const W = this.config.block_size - 2;
      const S = Math.max(1, Math.ceil(W / 2)); // tokens scored per window, the rest is context on both sides
      for (let a = 0; a < seq.length; a += S) {
        const end = Math.min(seq.length, a + S);
        const from = Math.max(0, Math.min(a - Math.floor((W - (end - a)) / 2), seq.length - W));
        const window = seq.slice(from, from + W);
        const positions = Array.from({ length: end - a }, (_, i) => a + i - from);
        const lp = this.maskedLogProbs(window, positions);
        for (let i = 0; i < positions.length; i++) out[a + i] = lp[i];
        done += end - a;
        o.onProgress?.(done);
      }
      return out;
    });
  }

  /** Windows are placed around the scored tokens: no stride to choose. */
  scoreStride(): null {
    return null;
  }

  /** ln p of window[p] with it masked, for each p of `positions` (window: at most block_size − 2 tokens). */
  private maskedLogProbs(window: readonly number[], positions: readonly number[]): Float64Array {
    const T = window.length + 2;
    const C = this.config.n_embd;
    const rowsPerPass = Math.max(1, Math.floor(SCORE_BUDGET_FLOATS / (T * 16 * C + this.config.vocab_size)));
    const out = new Float64Array(positions.length);
    for (let k = 0; k < positions.length; k += rowsPerPass) {
      const n = Math.min(rowsPerPass, positions.length - k);
      const ids = new Int32Array(n * T);
      for (let r = 0; r < n; r++) {
        const row = ids.subarray(r * T, (r + 1) * T);
        row[0] = this.vocab.ids.cls;
        row.set(window, 1);
        row[T - 1] = this.vocab.ids.sep;
        row[1 + positions[k + r]] = this.vocab.ids.mask;
      }
      const lp = this.logProbsAt(
        new IntTensor(ids, [n, T]),
        Int32Array.from({ length: n }, (_, r) => r * T + 1 + positions[k + r]),
      );
      const V = this.config.vocab_size;
      for (let r = 0; r < n; r++) out[k + r] = lp[r * V + window[positions[k + r]]];
    }
    return out;
  }

  /** Log-probabilities (M,V) over the vocabulary at flat positions `at` (M) of ids (B,T). */
  private logProbsAt(ids: IntTensor, at: Int32Array): Float32Array {
    return noGrad(() =>
      tidy(() => {
        const hidden = this.net.bert.forward(ids); // (B,T,C)
        const [B, T, C] = hidden.shape;
        const picked = gatherRows(reshape(hidden, [B * T, C]), at); // (M,C)
        return logSoftmax(this.net.head(picked)).data.slice() as Float32Array;
      }),
    );
  }

  /** Hugging Face's fill-mask: the `top` most probable tokens at each [MASK] of `text` (one list per mask). */
  fillMask(text: string, top: number): FillMaskPrediction[][] {
    const parts = text.split(BERT_TOKENS.mask);
    if (parts.length < 2)
      throw new LmkitError(`the text has no ${BERT_TOKENS.mask} to fill: ${JSON.stringify(text)}`, {
        hint: `write ${BERT_TOKENS.mask} where a token should be predicted, e.g. "the jury said the ${BERT_TOKENS.mask} was fair"`,
      });
    // a byte-level BPE token carries its leading space, so the space before a mask belongs to the mask (RoBERTa's lstrip)
    const lstrip = this.tokenizer.kind === 'bpe';
    const gaps = parts.map((p, i) =>
      lstrip && i < parts.length - 1 ? (/\s*$/u.exec(p) as RegExpExecArray)[0] : '',
    );
    const pieces = parts.map((p, i) => (gaps[i] ? p.slice(0, p.length - gaps[i].length) : p));
    const ids = [this.vocab.ids.cls];
    const maskAt: number[] = [];
    pieces.forEach((p, i) => {
      ids.push(...this.tokenizer.encode(p));
      if (i < pieces.length - 1) {
        maskAt.push(ids.length);
        ids.push(this.vocab.ids.mask);
      }
    });
    ids.push(this.vocab.ids.sep);
    if (ids.length > this.config.block_size)
      throw new LmkitError(
        `the text is ${ids.length - 2} tokens, more than this BERT reads (block_size ${this.config.block_size} − 2 for [CLS] and [SEP])`,
        { hint: 'shorten the text' },
      );
    const V = this.config.vocab_size;
    const lp = this.logProbsAt(IntTensor.from(ids, [1, ids.length]), Int32Array.from(maskAt));
    const k = Math.min(top, this.vocab.ordinary.length);
    return maskAt.map((_, m) => {
      const row = lp.subarray(m * V, (m + 1) * V);
      const best = [...this.vocab.ordinary].sort((a, b) => row[b] - row[a]).slice(0, k);
      return best.map((token) => {
        const tokenStr = this.tokenizer.decode([token]);
        let sequence = pieces[0];
        for (let i = 0; i < maskAt.length; i++)
          sequence +=
            (i === m ? (lstrip ? tokenStr : gaps[i] + tokenStr) : gaps[i] + BERT_TOKENS.mask) + pieces[i + 1];
        return { score: Math.exp(row[token]), token, token_str: tokenStr, sequence };
      });
    });
  }

  /**
   * Writes model.safetensors, tokenizer.json and config.json (last) into `dir`, each atomically; `extra`
   * adds keys to config.json and `metadata` to the safetensors header.
   */
  save(dir: string, extra: Record<string, unknown> = {}, metadata: Record<string, string> = {}): void {
    saveCheckpoint(dir, {
      kind: 'bert',
      net: this.net,
      tokenizer: this.tokenizer,
      config: bertCheckpointConfig(this.config, this.vocab.ids.pad, ['BertForMaskedLM'], extra),
      metadata,
    });
  }

  /** Loads a checkpoint folder written by {@link save}; errors name the missing file or mismatched tensor. */
  static load(dir: string): BertMaskedLM {
    return loadCheckpoint(dir, {
      kind: 'bert',
      what: 'a BERT',
      validate: (json) => validateMLMConfig(bertConfigFromJSON(json)),
      build: (config, tokenizer) => new BertMaskedLM(config, tokenizer),
    });
  }
}

/** Checks a masked-LM BERT config, filling the masking defaults. */
function validateMLMConfig(c: Partial<BertMLMConfig>): BertMLMConfig {
  const p = c.mlm_probability ?? MLM_DEFAULTS.mlm_probability;
  if (typeof p !== 'number' || !(p > 0 && p < 1))
    throw new LmkitError(`mlm_probability must be between 0 and 1 (got ${JSON.stringify(p)})`);
  return {
    ...validateBertConfig(c),
    mlm_probability: p,
    whole_word_masking: flag('whole_word_masking', c.whole_word_masking ?? MLM_DEFAULTS.whole_word_masking),
  };
}

/** A BERT config from a config.json: lmkit's names, else Hugging Face's BertConfig keys. */
export function bertConfigFromJSON(json: Record<string, unknown>): Partial<BertMLMConfig> {
  const pick = (own: string, hf: string) => json[own] ?? json[hf];
  return {
    ...Object.fromEntries(BERT_CONFIG_KEYS.map((k) => [k, json[k]])),
    n_layer: pick('n_layer', 'num_hidden_layers') as number,
    n_head: pick('n_head', 'num_attention_heads') as number,
    n_embd: pick('n_embd', 'hidden_size') as number,
    block_size: pick('block_size', 'max_position_embeddings') as number,
    dropout: (pick('dropout', 'hidden_dropout_prob') ?? 0) as number,
    mlm_probability: json.mlm_probability as number | undefined,
    whole_word_masking: json.whole_word_masking as boolean | undefined,
  };
}

/** config.json of a BERT: lmkit's names and Hugging Face's BertConfig keys for the same numbers. */
export function bertCheckpointConfig(
  c: BertConfig & Partial<BertMLMConfig>,
  padId: number,
  architectures: string[],
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return {
    ...c,
    model_type: 'bert',
    architectures,
    hidden_size: c.n_embd,
    num_hidden_layers: c.n_layer,
    num_attention_heads: c.n_head,
    intermediate_size: 4 * c.n_embd,
    hidden_act: 'gelu_new', // GELU's tanh approximation, lmkit's kernel
    hidden_dropout_prob: c.dropout,
    attention_probs_dropout_prob: 0, // lmkit drops attention outputs, not attention probabilities
    max_position_embeddings: c.block_size,
    layer_norm_eps: 1e-12,
    initializer_range: 0.02,
    position_embedding_type: 'absolute',
    pad_token_id: padId,
    tie_word_embeddings: true,
    ...extra,
  };
}
