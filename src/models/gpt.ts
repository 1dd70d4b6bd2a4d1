/**
 * A GPT (the network is nn/gpt.ts) as a `LanguageModel`. The config is nanoGPT's `GPTConfig`
 * (nn/gpt-config.ts) under the same names everywhere; a checkpoint is a folder with `config.json`
 * (readable by Hugging Face `transformers` as GPT-2), `model.safetensors` (GPT-2 tensor names, Conv1D
 * weights stored (in, out) as Hugging Face does) and `tokenizer.json`.
 * A model with rotary embeddings or RMSNorm is no GPT-2: its config.json records `rope`/`norm` (and
 * `rope_theta`, `rms_norm_eps`) and does not claim `model_type: gpt2`, so no GPT-2 loader misreads it.
 *
 * Scoring a long text (`scoreSequences`) runs sliding windows as Hugging Face's perplexity recipe: the
 * stream is the start tokens followed by the sequence; window k covers stream positions
 * [k·stride, k·stride + block_size] (inputs all but the last) and scores only the tokens no earlier window
 * scored. So every token is scored once, with all of its history when it lies in the first block, else
 * with at least block_size − stride tokens of context. stride = 1 gives every token a full block of
 * context, exactly what the `DecoderState` gives; stride = block_size cuts the text into independent blocks.
 */
import type { Preprocessing } from '../data/clean.js';
import { LmkitError } from '../errors.js';
import type { DecodeGroup, DecoderState, LanguageModel, ScoreOptions } from '../lm.js';
import { GPT } from '../nn/gpt.js';
import { GPT_CONFIG_KEYS, validateGPTConfig, type GPTConfig } from '../nn/gpt-config.js';
import { KVCache } from '../nn/gpt-kv-cache.js';
import { ROPE_BASE } from '../tensor/ops/rope.js';
import { logSoftmax, logSoftmaxRow } from '../tensor/ops/softmax.js';
import { IntTensor, noGrad, tidy } from '../tensor/tensor.js';
import { lineBreakTokens } from '../tokenizers/line-break.js';
import { checkTokenId } from '../tokenizers/tokenizer.js';
import type { SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import {
  checkConfigVocab,
  loadCheckpoint,
  loadWeights,
  saveCheckpoint,
  type TensorNames,
} from './checkpoint.js';

/** Linear layers whose weights Hugging Face's GPT-2 stores transposed (its Conv1D is (in, out)). */
const CONV1D = /\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/;

/**
 * GPT-2's stored names: Conv1D weights transposed; on loading, Hugging Face's `transformer.` prefix is
 * dropped and its tied `lm_head` and causal-mask buffers skipped.
 */
export const GPT2_NAMES: TensorNames = {
  save: (name, t) => [name, CONV1D.test(name) ? transposed(t) : t],
  load: (raw, t) => {
    const name = raw.replace(/^transformer\./, '');
    if (name === 'lm_head.weight' || /\.attn\.(masked_)?bias$/.test(name)) return null;
    return [name, CONV1D.test(name) && t.shape.length === 2 ? transposed(t) : t];
  },
};

/**
 * The activations one scoring forward pass may hold, in floats (16 MB): windows are batched until their
 * activations (see {@link windowFloats}) reach this, so memory stays flat whatever the vocabulary size.
 */
const SCORE_BUDGET_FLOATS = 1 << 22;

/** A GPT language model: network, tokenizer and config. */
export class GPTModel implements LanguageModel {
  readonly kind = 'gpt';
  readonly net: GPT;
  readonly config: GPTConfig;
  /** Tokens every context begins with (what precedes a line in training: {@link lineBreakTokens}). */
  readonly prefix: number[];
  /** Whether decoding keeps a key/value cache (the same probabilities, fewer computations). */
  kvCache = true;
  preprocessing?: Preprocessing;

  /** A freshly initialized GPT (seeded) for a tokenizer; the config's vocab_size must match it. */
  constructor(
    config: Partial<GPTConfig>,
    readonly tokenizer: SavableTokenizer,
    seed = 0,
  ) {
    this.config = validateGPTConfig(config);
    checkConfigVocab('GPT', this.config.vocab_size, tokenizer);
    this.net = new GPT(this.config, seed);
    this.net.eval();
    const start = lineBreakTokens(tokenizer);
    this.prefix = start.length ? start : [0];
  }

  /** At most block_size tokens of context. */
  get contextLength(): number {
    return this.config.block_size;
  }

  /** Starts after the line-start prefix and the prompt. */
  start(prompt: number[]): DecoderState {
    return this.startBatch([prompt])[0];
  }

  /**
   * Starts one state per prompt, decoded together: the first `logProbs()` after the states' `push()`
   * runs every state with a new token in one batched pass (with the KV cache; else one by one).
   */
  startBatch(prompts: readonly number[][]): DecoderState[] {
    for (const prompt of prompts) for (const t of prompt) checkTokenId(t, this.config.vocab_size);
    const batch = new DecodeBatch(this);
    return prompts.map((prompt) => batch.start(prompt));
  }

  /** A group that states join and leave between steps (continuous batching), decoded as {@link startBatch}'s. */
  decodeGroup(): DecodeGroup {
    return new DecodeBatch(this);
  }

  /** Next-token natural-log probabilities after `context` (its last block_size tokens), computed afresh. */
  nextLogProbs(context: readonly number[]): Float32Array {
    const ids = context.slice(-this.config.block_size);
    return logSoftmaxRow(new KVCache(this.net, ids.length).extend(ids));
  }

  /** The last hidden states (T,C) after the final norm over `ids` (at most block_size of them). */
  forwardHidden(ids: readonly number[]): Float32Array {
    return noGrad(() =>
      tidy(() => this.net.hidden(IntTensor.from(ids, [1, ids.length])).data.slice() as Float32Array),
    );
  }

  /** Full-precision logits (T,V) of the network's training forward over `ids` (a check for the cache). */
  forwardLogits(ids: readonly number[]): Float32Array {
    return noGrad(() =>
      tidy(() => this.net.forward(IntTensor.from(ids, [1, ids.length])).data.slice() as Float32Array),
    );
  }

  /**
   * The mean of the last hidden states (after the final norm) over the tokens of `ids`, read in windows of
   * block_size after the line-start prefix: a sentence embedding (n_embd).
   */
  embed(ids: readonly number[]): Float32Array {
    for (const t of ids) checkTokenId(t, this.config.vocab_size);
    const C = this.config.n_embd;
    const sum = new Float64Array(C);
    const all = [...this.prefix, ...ids];
    const block = this.config.block_size;
    const skip = this.prefix.length;
    for (let start = 0; start < all.length; start += block) {
      const window = all.slice(start, start + block);
      const h = this.forwardHidden(window); // (T,C)
      for (let t = start < skip ? skip - start : 0; t < window.length; t++)
        for (let c = 0; c < C; c++) sum[c] += h[t * C + c];
    }
    return Float32Array.from(sum, (v) => v / Math.max(1, ids.length));
  }

  /** The window stride for `stride` (default ⌈block_size / 2⌉), checked to lie in 1 … block_size. */
  scoreStride(stride?: number): number {
    const block = this.config.block_size;
    const s = stride ?? Math.ceil(block / 2);
    if (!Number.isInteger(s) || s < 1 || s > block)
      throw new LmkitError(`--stride must be a whole number from 1 to the block size ${block} (got ${s})`);
    return s;
  }

  /** Sliding windows over start tokens + each sequence (see the module comment), several per forward pass. */
  scoreSequences(sequences: readonly (readonly number[])[], o: ScoreOptions = {}): Float64Array[] {
    const stride = this.scoreStride(o.stride);
    let done = 0;
    return sequences.map((seq) =>
      this.scoreWindows(seq, stride, (n) => {
        done += n;
        o.onProgress?.(done);
      }),
    );
  }

  /** One sequence's windows; `scored` hears how many tokens each batch of windows scored. */
  private scoreWindows(
    seq: readonly number[],
    stride: number,
    scored: (tokens: number) => void,
  ): Float64Array {
    const stream = [...this.prefix, ...seq];
    const first = this.prefix.length; // stream index of seq[0]
    const B = this.config.block_size;
    const V = this.config.vocab_size;
    for (const t of stream) checkTokenId(t, V);
    // window stream[begin, end): inputs all but the last; it scores positions [from, end)
    const windows: { begin: number; end: number; from: number }[] = [];
    for (let begin = 0, next = first; next < stream.length; begin += stride) {
      const end = Math.min(begin + B + 1, stream.length);
      windows.push({ begin, end, from: Math.max(next, begin + 1) });
      next = end;
    }
    const out = new Float64Array(seq.length);
    for (let k = 0; k < windows.length;) {
      // a batch of consecutive windows of the same length T, their activations within the budget
      const T = windows[k].end - windows[k].begin - 1;
      const most = Math.max(1, Math.floor(SCORE_BUDGET_FLOATS / windowFloats(this.config, T)));
      let n = 1;
      while (n < most && k + n < windows.length && windows[k + n].end - windows[k + n].begin - 1 === T) n++;
      const ids = new Int32Array(n * T);
      for (let r = 0; r < n; r++)
        ids.set(stream.slice(windows[k + r].begin, windows[k + r].begin + T), r * T);
      let tokens = 0;
      noGrad(() =>
        tidy(() => {
          // (n, T, V): row (r, c) predicts stream[begin_r + c + 1]
          const logp = logSoftmax(this.net.forward(new IntTensor(ids, [n, T]))).data;
          for (let r = 0; r < n; r++) {
            const w = windows[k + r];
            for (let j = w.from; j < w.end; j++)
              out[j - first] = logp[(r * T + j - w.begin - 1) * V + stream[j]];
            tokens += w.end - w.from;
          }
        }),
      );
      scored(tokens);
      k += n;
    }
    return out;
  }

  /**
   * Writes model.safetensors, tokenizer.json and config.json (last) into `dir` (created if needed), each
   * atomically; `extra` adds keys to config.json and `metadata` to the safetensors header.
   */
  save(dir: string, extra: Record<string, unknown> = {}, metadata: Record<string, string> = {}): void {
    saveCheckpoint(dir, {
      kind: 'gpt',
      net: this.net,
      tokenizer: this.tokenizer,
      config: checkpointConfig(this.config, this.tokenizer, extra),
      names: GPT2_NAMES,
      metadata,
    });
  }

  /** Loads a checkpoint folder (lmkit's, or Hugging Face GPT-2's); errors name the missing file, or the mismatched tensor. */
  static load(dir: string): GPTModel {
    return loadCheckpoint(dir, {
      kind: 'gpt',
      what: 'a GPT',
      validate: configFromJSON,
      build: (config, tokenizer) => new GPTModel(config, tokenizer),
      names: GPT2_NAMES,
    });
  }

  /** Copies weights from a model.safetensors (lmkit's or Hugging Face GPT-2's names) into the network. */
  loadWeights(path: string): void {
    loadWeights(this.net, path, GPT2_NAMES);
  }
}

/**
 * States decoded together. Each holds its token context and, while the context fits the block, a KV
 * cache; past block_size tokens the window slides and every position changes, so each step of that
 * state runs its whole window afresh (in the same batched pass, with a fresh cache). Without the model's
 * kvCache every step runs the whole context. States may join and leave between steps.
 */
class DecodeBatch implements DecodeGroup {
  private readonly states = new Set<GPTDecoderState>();
  /** Positions a new cache holds from the start: the whole block when that is at most 4 MB, else it grows. */
  private readonly reserve: number;

  constructor(private readonly model: GPTModel) {
    const { block_size: block, n_embd: C, n_layer: L } = model.config;
    this.reserve = block * C * L * 2 <= 1 << 20 ? block : 0;
  }

  /** A new state of this batch after the line-start prefix and `prompt`. */
  start(prompt: number[]): GPTDecoderState {
    for (const t of prompt) checkTokenId(t, this.model.config.vocab_size);
    const state = new GPTDecoderState(
      this,
      this.model,
      [...this.model.prefix, ...prompt],
      this.model.kvCache ? new KVCache(this.model.net, this.reserve) : null,
    );
    this.states.add(state);
    return state;
  }

  /** Takes a state out of the batch. */
  end(state: DecoderState): void {
    this.states.delete(state as GPTDecoderState);
  }

  /** Computes the log-probabilities of every state waiting for them, the cached ones in one pass. */
  flush(): void {
    const block = this.model.config.block_size;
    const runs: { state: GPTDecoderState; cache: KVCache; tokens: number[] }[] = [];
    for (const st of this.states) {
      if (st.cached) continue;
      if (st.cache && st.context.length <= block)
        runs.push({ state: st, cache: st.cache, tokens: st.context.slice(st.cache.length) });
      else if (this.model.kvCache) {
        // the window slid: its last block_size tokens afresh (in a cache kept for this), batched with the others
        st.cache = null;
        st.window ??= new KVCache(this.model.net, block);
        st.window.length = 0;
        runs.push({ state: st, cache: st.window, tokens: st.context.slice(-block) });
      } else st.cached = this.model.nextLogProbs(st.context);
    }
    const logits = KVCache.extendAll(runs);
    runs.forEach(({ state }, i) => (state.cached = logSoftmaxRow(logits[i])));
  }
}

/** One sequence's decoding state (see {@link DecodeBatch}). */
class GPTDecoderState implements DecoderState {
  cached: Float32Array | null = null;
  /** A cache each step past the block refills with the whole window. */
  window: KVCache | null = null;

  constructor(
    private readonly batch: DecodeBatch,
    private readonly model: GPTModel,
    readonly context: number[],
    public cache: KVCache | null,
  ) {}

  /** Next-token log-probabilities (computed once per position, together with the batch's other states). */
  logProbs(): Float32Array {
    if (!this.cached) this.batch.flush();
    return this.cached as Float32Array;
  }

  /** Appends a token. */
  push(token: number): void {
    checkTokenId(token, this.model.config.vocab_size);
    this.context.push(token);
    this.cached = null;
  }
}

/** A GPT config from a config.json (lmkit's, or a Hugging Face GPT-2 one with its own key names). */
export function configFromJSON(json: Record<string, unknown>): GPTConfig {
  return validateGPTConfig({
    ...Object.fromEntries(GPT_CONFIG_KEYS.map((k) => [k, json[k]])),
    block_size: (json.block_size ?? json.n_positions) as number,
    dropout: (json.dropout ?? json.resid_pdrop ?? 0) as number,
  });
}

/** config.json: nanoGPT's names plus the Hugging Face GPT-2 keys `transformers` reads. */
export function checkpointConfig(
  c: GPTConfig,
  tokenizer: SavableTokenizer,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const gpt2 = !c.rope && c.norm !== 'rmsnorm';
  return {
    ...c,
    ...(gpt2
      ? { model_type: 'gpt2', architectures: ['GPT2LMHeadModel'] }
      : {
          model_type: 'lmkit_gpt',
          ...(c.rope ? { rope_theta: ROPE_BASE } : {}),
          ...(c.norm === 'rmsnorm' ? { rms_norm_eps: 1e-5 } : {}),
        }),
    n_positions: c.block_size,
    n_ctx: c.block_size,
    activation_function: 'gelu_new',
    layer_norm_epsilon: 1e-5,
    resid_pdrop: c.dropout,
    embd_pdrop: c.dropout,
    attn_pdrop: c.dropout,
    tie_word_embeddings: true,
    bos_token_id: tokenizer.special.bos ?? null,
    eos_token_id: tokenizer.special.eos ?? null,
    ...extra,
  };
}

/**
 * The floats a no-grad forward pass of one window of T tokens creates and holds until it ends: per block
 * the norms, qkv (3C), attention probabilities (H·T per position), its output and projection, the MLP's
 * 4C hidden layer and its GELU, the residual sums; then the logits and their log-softmax (2V).
 */
export function windowFloats(c: GPTConfig, T: number): number {
  const C = c.n_embd;
  const perBlock = 2 * C + 3 * C + c.n_head * T + 2 * C + 2 * 4 * C + 3 * C;
  return T * (2 * C + c.n_layer * perBlock + 2 * c.vocab_size);
}

/** A (rows, cols) row-major matrix as its (cols, rows) transpose. */
function transposed(t: { shape: readonly number[]; data: ArrayLike<number> }): {
  shape: number[];
  data: Float32Array;
} {
  const [rows, cols] = t.shape;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[r * cols + c];
  return { shape: [cols, rows], data: out };
}
