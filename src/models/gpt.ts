/**
 * A GPT as a `LanguageModel`: nn.GPT plus its tokenizer. The config uses nanoGPT's names; a checkpoint
 * is a directory with `config.json` (readable by Hugging Face `transformers` as GPT-2), `model.safetensors`
 * (GPT-2 tensor names, Conv1D weights stored (in, out) as Hugging Face does) and `tokenizer.json`.
 * A model with rotary embeddings or RMSNorm is no GPT-2: its config.json records `rope`/`norm` (and
 * `rope_theta`, `rms_norm_eps`) and does not claim `model_type: gpt2`, so no GPT-2 loader misreads it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LmkitError } from '../errors.js';
import type { DecoderState, LanguageModel } from '../lm.js';
import { GPT } from '../nn/gpt.js';
import { readSafetensors } from '../nn/safetensors.js';
import { ROPE_BASE } from '../tensor/ops/rope.js';
import { IntTensor, noGrad, tidy } from '../tensor/tensor.js';
import type { SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import {
  CHECKPOINT_FILES,
  checkConfigVocab,
  checkTokenId,
  loadNamedTensors,
  logSoftmax,
  readCheckpointTokenizer,
  readKindConfig,
  writeCheckpointFiles,
  type StoredWeights,
} from './checkpoint-parts.js';
import { KVCache } from './gpt-kv-cache.js';

/** The sizes of a GPT, in nanoGPT's names. */
export interface GPTModelConfig {
  n_layer: number;
  n_head: number;
  n_embd: number;
  block_size: number;
  vocab_size: number;
  dropout: number;
  bias: boolean;
  /** Rotary position embeddings instead of the learned table wpe (absent: false). */
  rope?: boolean;
  /** layernorm (GPT-2) or rmsnorm (absent: layernorm). */
  norm?: 'layernorm' | 'rmsnorm';
}

/** The files of a checkpoint directory. */
export { CHECKPOINT_FILES } from './checkpoint-parts.js';

/** Linear layers whose weights Hugging Face's GPT-2 stores transposed (its Conv1D is (in, out)). */
const CONV1D = /\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/;

/** Checks a config's sizes, throwing an error that names the bad value; returns a clean copy. */
export function validateGPTConfig(c: Partial<GPTModelConfig>): GPTModelConfig {
  const whole = (name: keyof GPTModelConfig, min: number) => {
    const v = c[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      throw new LmkitError(`GPT config: ${name} must be a whole number ≥ ${min} (got ${JSON.stringify(v)})`);
    return v;
  };
  const out: GPTModelConfig = {
    n_layer: whole('n_layer', 1),
    n_head: whole('n_head', 1),
    n_embd: whole('n_embd', 1),
    block_size: whole('block_size', 1),
    vocab_size: whole('vocab_size', 1),
    dropout: c.dropout ?? 0,
    bias: c.bias ?? true,
    rope: c.rope ?? false,
    norm: c.norm ?? 'layernorm',
  };
  if (out.n_embd % out.n_head !== 0)
    throw new LmkitError(`GPT config: n_embd ${out.n_embd} is not divisible by n_head ${out.n_head}`, {
      hint: `choose n_embd as a multiple of n_head, e.g. ${out.n_head * Math.max(1, Math.round(out.n_embd / out.n_head))}`,
    });
  if (typeof out.dropout !== 'number' || !(out.dropout >= 0 && out.dropout < 1))
    throw new LmkitError(`GPT config: dropout must be in [0, 1) (got ${JSON.stringify(c.dropout)})`);
  if (typeof out.bias !== 'boolean')
    throw new LmkitError(`GPT config: bias must be true or false (got ${JSON.stringify(c.bias)})`);
  if (typeof out.rope !== 'boolean')
    throw new LmkitError(`GPT config: rope must be true or false (got ${JSON.stringify(c.rope)})`);
  if (out.rope && (out.n_embd / out.n_head) % 2 !== 0)
    throw new LmkitError(
      `GPT config: rotary embeddings need an even head size (n_embd / n_head = ${out.n_embd / out.n_head})`,
      { hint: 'choose n_embd and n_head so that n_embd / n_head is even' },
    );
  if (out.norm !== 'layernorm' && out.norm !== 'rmsnorm')
    throw new LmkitError(`GPT config: norm must be layernorm or rmsnorm (got ${JSON.stringify(c.norm)})`);
  return out;
}

/**
 * The context a GPT starts from: the tokens of a line break (training joins lines with "\n"), else `</s>`
 * (word-level training streams end every sentence in `</s>`), else BOS.
 */
function startTokens(tokenizer: SavableTokenizer): number[] {
  const nl = tokenizer.encode('\n');
  const unk = tokenizer.special.unk;
  if (nl.length > 0 && !nl.includes(unk as number)) return nl;
  return [tokenizer.special.eos ?? tokenizer.special.bos ?? 0];
}

/** A GPT language model: network, tokenizer and config. */
export class GPTModel implements LanguageModel {
  readonly kind = 'gpt';
  readonly net: GPT;
  /** Tokens every context begins with (what precedes a line in training). */
  readonly prefix: number[];
  /** Whether decoding keeps a key/value cache (the same probabilities, fewer computations). */
  kvCache = true;

  /** A freshly initialized GPT (seeded) for a tokenizer; the config's vocab_size must match it. */
  constructor(
    readonly config: GPTModelConfig,
    readonly tokenizer: SavableTokenizer,
    seed = 0,
  ) {
    this.config = validateGPTConfig(config);
    checkConfigVocab('GPT', this.config.vocab_size, tokenizer);
    this.net = new GPT(
      {
        vocabSize: this.config.vocab_size,
        blockSize: this.config.block_size,
        nLayer: this.config.n_layer,
        nHead: this.config.n_head,
        nEmbd: this.config.n_embd,
        dropout: this.config.dropout,
        bias: this.config.bias,
        rope: this.config.rope,
        norm: this.config.norm,
      },
      seed,
    );
    this.net.eval();
    this.prefix = startTokens(tokenizer);
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
    for (const prompt of prompts) for (const t of prompt) this.checkToken(t);
    const batch = new DecodeBatch(this);
    return prompts.map((prompt) => batch.add([...this.prefix, ...prompt]));
  }

  /** Next-token natural-log probabilities after `context` (its last block_size tokens), computed afresh. */
  nextLogProbs(context: readonly number[]): Float32Array {
    const ids = context.slice(-this.config.block_size);
    return logSoftmax(new KVCache(this.net, ids.length).extend(ids));
  }

  /** Full-precision logits (T,V) of the network's training forward over `ids` (a check for the cache). */
  forwardLogits(ids: readonly number[]): Float32Array {
    return noGrad(() =>
      tidy(() => this.net.forward(IntTensor.from(ids, [1, ids.length])).data.slice() as Float32Array),
    );
  }

  /**
   * Writes model.safetensors, tokenizer.json and config.json (last) into `dir` (created if needed), each
   * atomically; `extra` adds keys to config.json and `metadata` to the safetensors header.
   */
  save(dir: string, extra: Record<string, unknown> = {}, metadata: Record<string, string> = {}): void {
    const tensors: StoredWeights = new Map();
    for (const { name, tensor } of this.net.namedParameters()) {
      const data = tensor.data as Float32Array;
      if (CONV1D.test(name)) {
        const [rows, cols] = tensor.shape;
        tensors.set(name, { shape: [cols, rows], data: transpose(data, rows, cols) });
      } else tensors.set(name, { shape: tensor.shape, data });
    }
    const config = checkpointConfig(this.config, this.tokenizer, extra);
    writeCheckpointFiles(dir, 'gpt', tensors, this.tokenizer, config, metadata);
  }

  /** Loads a checkpoint directory; errors name the missing file, or the mismatched tensor and shape. */
  static load(dir: string): GPTModel {
    const config = readCheckpointConfig(dir);
    const tokenizer = readCheckpointTokenizer(dir, CHECKPOINT_FILES.tokenizer, config.vocab_size);
    const model = new GPTModel(config, tokenizer);
    model.loadWeights(join(dir, CHECKPOINT_FILES.weights));
    return model;
  }

  /** Copies weights from a model.safetensors (lmkit's or Hugging Face GPT-2's names) into the network. */
  loadWeights(path: string): void {
    if (!existsSync(path)) throw new LmkitError(`checkpoint weights ${path} do not exist`);
    const stored = readSafetensors(path).tensors;
    const values = new Map<string, { shape: readonly number[]; data: ArrayLike<number> }>();
    for (const [raw, t] of stored) {
      const name = raw.replace(/^transformer\./, '');
      if (name === 'lm_head.weight' || /\.attn\.(masked_)?bias$/.test(name)) continue; // tied head, causal masks
      if (CONV1D.test(name) && t.shape.length === 2) {
        const [rows, cols] = t.shape;
        values.set(name, { shape: [cols, rows], data: transpose(t.data, rows, cols) });
      } else values.set(name, t);
    }
    loadNamedTensors(this.net, path, values);
  }

  private checkToken(t: number): void {
    checkTokenId(t, this.config.vocab_size);
  }
}

/**
 * States decoded together. Each holds its token context and, while the context fits the block, a KV
 * cache; past block_size tokens the window slides and every position changes, so each step of that
 * state runs its whole window afresh. Without the model's kvCache every step runs the whole context.
 */
class DecodeBatch {
  private readonly states: GPTDecoderState[] = [];

  constructor(private readonly model: GPTModel) {}

  /** A new state of this batch after `context`. */
  add(context: number[]): GPTDecoderState {
    const state = new GPTDecoderState(
      this,
      this.model,
      context,
      this.model.kvCache ? new KVCache(this.model.net) : null,
    );
    this.states.push(state);
    return state;
  }

  /** Computes the log-probabilities of every state waiting for them, the cached ones in one pass. */
  flush(): void {
    const block = this.model.config.block_size;
    const runs: { state: GPTDecoderState; cache: KVCache; tokens: number[] }[] = [];
    for (const st of this.states) {
      if (st.cached) continue;
      if (st.cache && st.context.length <= block)
        runs.push({ state: st, cache: st.cache, tokens: st.context.slice(st.cache.length) });
      else {
        st.cache = null;
        st.cached = this.model.nextLogProbs(st.context);
      }
    }
    const logits = KVCache.extendAll(runs);
    runs.forEach(({ state }, i) => (state.cached = logSoftmax(logits[i])));
  }
}

/** One sequence's decoding state (see {@link DecodeBatch}). */
class GPTDecoderState implements DecoderState {
  cached: Float32Array | null = null;

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

/** Reads and validates a checkpoint's config.json (lmkit's, or a Hugging Face GPT-2 one). */
export function readCheckpointConfig(dir: string): GPTModelConfig {
  return readKindConfig(dir, 'gpt', 'a GPT', (json) =>
    validateGPTConfig({
      n_layer: json.n_layer as number,
      n_head: json.n_head as number,
      n_embd: json.n_embd as number,
      block_size: (json.block_size ?? json.n_positions) as number,
      vocab_size: json.vocab_size as number,
      dropout: (json.dropout ?? json.resid_pdrop ?? 0) as number,
      bias: (json.bias ?? true) as boolean,
      rope: (json.rope ?? false) as boolean,
      norm: (json.norm ?? 'layernorm') as 'layernorm' | 'rmsnorm',
    }),
  );
}

/** config.json: nanoGPT's names plus the Hugging Face GPT-2 keys `transformers` reads. */
function checkpointConfig(
  c: GPTModelConfig,
  tokenizer: SavableTokenizer,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const gpt2 = !c.rope && c.norm !== 'rmsnorm';
  return {
    lmkit_kind: 'gpt',
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

/** The transpose of a (rows, cols) row-major matrix. */
function transpose(data: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}
