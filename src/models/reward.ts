/**
 * A reward model (InstructGPT's RM): a GPT trunk and a scalar head (nn/gpt-scalar-head.ts) read at the
 * last token of prompt + response. It scores token sequences; it does not generate, so it is not a
 * `LanguageModel` and not in the kind registry.
 *
 * Its checkpoint is a folder like every other: config.json (the GPT's keys, `lmkit_kind: "reward"`,
 * `architectures: ["GPT2ForSequenceClassification"]`, `num_labels: 1`, and `reward_offset`, the number
 * subtracted from the head so that the SFT demonstrations' mean reward is 0), model.safetensors with Hugging
 * Face's names (`transformer.*` as GPT-2, `score.weight` (1, n_embd)) and tokenizer.json.
 */
import { LmkitError } from '../errors.js';
import { GPTWithScalarHead } from '../nn/gpt-scalar-head.js';
import type { GPTConfig } from '../nn/gpt-config.js';
import { IntTensor, noGrad, tidy } from '../tensor/tensor.js';
import { checkTokenId } from '../tokenizers/tokenizer.js';
import type { SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import { serializeSafetensors } from '../nn/safetensors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { loadCheckpoint, loadWeights, saveCheckpoint, type TensorNames } from './checkpoint.js';
import { checkpointConfig, configFromJSON, GPT2_NAMES, GPTModel } from './gpt.js';

/** config.json's `lmkit_kind` of a reward model. */
export const REWARD_KIND = 'reward';

const TRUNK = 'transformer.';

/** GPT-2's stored names under the trunk's `transformer.` prefix; the head is stored as it is. */
const SCALAR_HEAD_NAMES: TensorNames = {
  save: (name, t) => (name.startsWith(TRUNK) ? GPT2_NAMES.save!(name, t) : [name, t]),
  load: (name, t) => {
    if (!name.startsWith(TRUNK)) return [name, t];
    const mapped = GPT2_NAMES.load!(name, t);
    return mapped && [TRUNK + mapped[0], mapped[1]];
  },
};

/** Sequences scored in one forward pass. */
const SCORE_BATCH = 16;

/** A GPT with a scalar head that scores whole sequences. */
export class RewardModel {
  readonly kind = REWARD_KIND;
  readonly net: GPTWithScalarHead;
  readonly config: GPTConfig;
  readonly tokenizer: SavableTokenizer;
  /** Tokens every sequence begins with (the trunk's start tokens). */
  readonly prefix: number[];
  /** Subtracted from the head's output (set so SFT demonstrations score 0 on average). */
  offset = 0;

  /** A reward model over a GPT's network (shared, not copied); the head is drawn from `seed`. */
  constructor(gpt: GPTModel, seed = 0) {
    this.net = new GPTWithScalarHead(gpt.net, seed);
    this.config = gpt.config;
    this.tokenizer = gpt.tokenizer;
    this.prefix = gpt.prefix;
    this.net.eval();
  }

  /** The longest sequence it scores. */
  get contextLength(): number {
    return this.config.block_size;
  }

  /** The reward of each sequence (the head at its last token, minus the offset); no gradient. */
  score(sequences: readonly ArrayLike<number>[]): Float64Array {
    const out = new Float64Array(sequences.length);
    for (let s = 0; s < sequences.length; s += SCORE_BATCH) {
      const chunk = sequences.slice(s, s + SCORE_BATCH);
      const { ids, rows } = padSequences(chunk, this.config.block_size, this.config.vocab_size);
      const r = noGrad(() => tidy(() => this.net.forward(ids, rows).data.slice()));
      r.forEach((v, i) => (out[s + i] = v - this.offset));
    }
    return out;
  }

  /** Writes the checkpoint folder (see the module comment); `extra` adds config.json keys. */
  save(dir: string, extra: Record<string, unknown> = {}, metadata: Record<string, string> = {}): void {
    const gpt2 = !this.config.rope && this.config.norm !== 'rmsnorm';
    saveCheckpoint(dir, {
      kind: REWARD_KIND,
      net: this.net,
      tokenizer: this.tokenizer,
      config: checkpointConfig(this.config, this.tokenizer, {
        ...(gpt2 ? { architectures: ['GPT2ForSequenceClassification'] } : {}),
        num_labels: 1,
        reward_offset: this.offset,
        ...extra,
      }),
      names: SCALAR_HEAD_NAMES,
      metadata,
    });
  }

  /** Writes only the network's weights (Hugging Face names) to one safetensors file, atomically (PPO's value model). */
  saveWeights(path: string, metadata: Record<string, string> = {}): void {
    const weights = new Map<string, { shape: readonly number[]; data: Float32Array }>();
    for (const { name, tensor } of this.net.namedParameters()) {
      const [stored, t] = SCALAR_HEAD_NAMES.save!(name, { shape: tensor.shape, data: tensor.data });
      weights.set(stored, { shape: t.shape, data: t.data as Float32Array });
    }
    writeFileAtomic(path, [
      serializeSafetensors(weights, { format: 'pt', lmkit_kind: REWARD_KIND, ...metadata }),
    ]);
  }

  /** Reads weights written by {@link saveWeights} into the network. */
  loadWeightsFrom(path: string): void {
    loadWeights(this.net, path, SCALAR_HEAD_NAMES);
  }

  /** Loads a reward model folder; errors name the folder and what is wrong. */
  static load(dir: string): RewardModel {
    return loadCheckpoint(dir, {
      kind: REWARD_KIND,
      what: 'a reward model',
      validate: configFromJSON,
      build: (config, tokenizer, json) => {
        const rm = new RewardModel(new GPTModel(config, tokenizer));
        const offset = json.reward_offset ?? 0;
        if (typeof offset !== 'number' || !Number.isFinite(offset))
          throw new LmkitError(
            `${dir}: config.json's reward_offset must be a number (got ${JSON.stringify(offset)})`,
          );
        rm.offset = offset;
        return rm;
      },
      names: SCALAR_HEAD_NAMES,
    });
  }
}

/**
 * Sequences right-padded into ids (B,T), T the longest, and the flat position of each one's last token
 * (b·T + length − 1). Padding is token 0: it comes after the last token, which causal attention never
 * lets it reach.
 */
export function padSequences(
  sequences: readonly ArrayLike<number>[],
  blockSize: number,
  vocabSize: number,
): { ids: IntTensor; rows: Int32Array } {
  const B = sequences.length;
  const T = Math.max(...sequences.map((s) => s.length));
  const ids = new Int32Array(B * T);
  const rows = new Int32Array(B);
  sequences.forEach((s, b) => {
    if (s.length === 0) throw new LmkitError('a reward model cannot score an empty sequence');
    if (s.length > blockSize)
      throw new LmkitError(
        `a sequence of ${s.length} tokens is longer than the reward model's context of ${blockSize}`,
      );
    for (let t = 0; t < s.length; t++) {
      checkTokenId(s[t], vocabSize);
      ids[b * T + t] = s[t];
    }
    rows[b] = b * T + s.length - 1;
  });
  return { ids: new IntTensor(ids, [B, T]), rows };
}
