/**
 * The one place that lists the kinds of neural model: each kind declares its name, label, settings
 * (defaults, keys, the keys that fix its architecture), how a fresh model is built and how a checkpoint
 * is loaded. Training, loading, evaluation, the CLI and the server read this table and never name a kind;
 * a new kind adds its own files (network in nn/, `LanguageModel` adapter in models/) and one line below.
 * (n-gram models are files, not checkpoint folders: `loadLanguageModel` reads them apart.)
 */
import { LmkitError } from '../errors.js';
import type { LanguageModel } from '../lm.js';
import { RNN_DEFAULTS, validateRNNShape } from '../nn/char-rnn.js';
import { validateBertShape } from '../nn/bert-config.js';
import { ELMO_DEFAULTS, validateElmoShape } from '../nn/elmo.js';
import { validateGPTShape } from '../nn/gpt-config.js';
import type { Module } from '../nn/module.js';
import { NPLM_DEFAULTS, validateNPLMShape } from '../nn/nplm.js';
import type { Rng } from '../util/rng.js';
import type { IntTensor, Tensor } from '../tensor/tensor.js';
import type { SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import { ElmoModel } from './elmo.js';
import { GPTModel } from './gpt.js';
import { BertMaskedLM, MLM_DEFAULTS, withBertTokens } from './bert.js';
import { NPLMModel } from './nplm.js';
import { RNNModel } from './rnn.js';
import { T5Model, T5_DEFAULTS, withT5Tokens } from './t5.js';
import { validateT5Shape } from '../nn/t5-config.js';

/** A run's settings as the training config holds them (nanoGPT's names). */
export type Settings = Record<string, unknown>;

/** A neural language model that can be trained and saved as a checkpoint folder. */
export interface NeuralModel extends LanguageModel {
  readonly tokenizer: SavableTokenizer;
  readonly net: Module & {
    /** Mean loss of windows ids (B,T) against their shifted targets (B,T). */
    loss(x: IntTensor, y: IntTensor): Tensor;
    /** Where dropout masks come from, when the network has dropout: saved so a resume is exact. */
    readonly dropoutRng?: Rng;
  };
  /**
   * Draws a training batch from a token stream when the kind does not learn next-token prediction from
   * random windows (a masked LM masks tokens; absent: nanoGPT's windows and shifted targets).
   */
  trainingBatch?(
    stream: Int32Array,
    batchSize: number,
    blockSize: number,
    rng: Rng,
  ): { x: IntTensor; y: IntTensor };
  /**
   * A text-to-text model's training pair from input and target token ids (an encoder–decoder: `</s>`
   * appended, each cut to fit); absent when the kind does not learn from pairs.
   */
  encodePair?(input: number[], target: number[]): { input: number[]; target: number[] };
  /** Encoded pairs as the tensors `net.loss` takes: inputs (B,S) padded, labels (B,T) padded with −100. */
  pairBatch?(pairs: readonly { input: number[]; target: number[] }[]): { x: IntTensor; y: IntTensor };
  /** Targets scored per window (default block_size: every position); tokens/s counts these. */
  readonly targetsPerWindow?: number;
  /** Writes the model's checkpoint folder; `extra` adds config.json keys, `metadata` safetensors header entries. */
  save(dir: string, extra?: Record<string, unknown>, metadata?: Record<string, string>): void;
}

/** A setting only one kind has: its name (a config key and a `--name` flag), type and meaning. */
export interface KindSetting {
  name: string;
  type: 'integer' | 'number' | 'boolean' | 'string';
  choices?: readonly string[];
  description: string;
}

/** Everything lmkit needs to know about one kind of neural model. */
export interface ModelKind {
  /** The name in `--model` and config.json's `lmkit_kind`. */
  readonly name: string;
  /** What it is, for help text. */
  readonly summary: string;
  /** How progress lines name a model of these settings ("a GPT", "an LSTM RNN"). */
  label(settings: Settings): string;
  /** Settings this kind changes from the shared defaults (nanoGPT's CPU character GPT). */
  readonly defaults: Settings;
  /** Settings only this kind has (a config file may hold them; `lmkit train` offers them as flags). */
  readonly settings: readonly KindSetting[];
  /** Settings that fix the architecture: a resumed run may not change them. */
  readonly architectureKeys: readonly string[];
  /**
   * Whether it reads a text file re-flowed into one sentence per line unless told otherwise (its unit is
   * the sentence, as an n-gram's); false: the text as written, every character kept (`lmkit train --sentences`
   * and `--no-sentences` choose either).
   */
  readonly sentences: boolean;
  /**
   * Fills settings that follow from others (`given` holds the keys set by a file or flag) and checks
   * the architecture, throwing an error that names the bad setting.
   */
  resolve(settings: Settings, given: ReadonlySet<string>): void;
  /** A fresh model of the resolved settings for a tokenizer, initialized from `seed`. */
  create(settings: Settings, tokenizer: SavableTokenizer, seed: number): NeuralModel;
  /** Loads a checkpoint folder of this kind. */
  load(dir: string): NeuralModel;
  /** Its models learn from input/target pairs too (`lmkit train --data FILE.jsonl`, train/text-to-text.ts). */
  readonly textToText?: boolean;
}

/** Creates a model from settings plus the tokenizer's vocabulary size. */
function withVocab(settings: Settings, tokenizer: SavableTokenizer): Settings & { vocab_size: number } {
  return { ...settings, vocab_size: tokenizer.vocabSize };
}

const GPT_KIND: ModelKind = {
  name: 'gpt',
  summary: 'decoder-only Transformer (GPT-2 layout; --rope, --norm rmsnorm)',
  label: () => 'a GPT',
  defaults: {},
  settings: [
    { name: 'rope', type: 'boolean', description: 'rotary position embeddings instead of a learned table' },
    {
      name: 'norm',
      type: 'string',
      choices: ['layernorm', 'rmsnorm'],
      description: 'normalization layers (default layernorm, as GPT-2)',
    },
  ],
  architectureKeys: ['n_layer', 'n_head', 'n_embd', 'block_size', 'bias', 'rope', 'norm'],
  sentences: false, // as nanoGPT and llm.c: the text's characters or bytes as they are
  resolve: (s) => void validateGPTShape(s),
  create: (s, tokenizer, seed) => new GPTModel(withVocab(s, tokenizer), tokenizer, seed),
  load: (dir) => GPTModel.load(dir),
};

const NPLM_KIND: ModelKind = {
  name: 'nplm',
  summary: "Bengio et al. (2003)'s neural probabilistic language model",
  label: () => 'an NPLM',
  defaults: { ...NPLM_DEFAULTS },
  settings: [
    { name: 'order', type: 'integer', description: 'n, so n−1 tokens of context (default 5)' },
    { name: 'n_hidden', type: 'integer', description: 'tanh hidden units (default 100)' },
    { name: 'direct', type: 'boolean', description: 'direct connections from embeddings to output' },
  ],
  architectureKeys: ['order', 'n_embd', 'n_hidden', 'direct'],
  // the n-gram's neural successor: it pads its window at a sentence's start, is scored sentence by
  // sentence, and Bengio et al. (2003)'s protocol compares it with n-gram models on the same sentences
  sentences: true,
  resolve: (s) => {
    validateNPLMShape(s);
    s.block_size = (s.order as number) - 1; // the window is the n−1 tokens of context
  },
  create: (s, tokenizer, seed) => new NPLMModel(withVocab(s, tokenizer), tokenizer, seed),
  load: (dir) => NPLMModel.load(dir),
};

/**
 * The classic Keras character RNN: its network defaults, windows of 30 characters, batch 64, Adam with no
 * weight decay and Keras's β2 0.999 at a constant learning rate (min_lr follows learning_rate unless set),
 * no warmup, early stopping after 3 evaluations without improvement.
 */
const RNN_KIND: ModelKind = {
  name: 'rnn',
  summary: 'character-level GRU/LSTM (the classic Keras recipe)',
  label: (s) => (s.cell === 'lstm' ? 'an LSTM RNN' : 'a GRU RNN'),
  defaults: {
    ...RNN_DEFAULTS,
    block_size: 30,
    batch_size: 64,
    warmup_iters: 0,
    weight_decay: 0,
    beta2: 0.999,
    patience: 3,
  },
  settings: [
    {
      name: 'cell',
      type: 'string',
      choices: ['gru', 'lstm'],
      description: 'the recurrent cell (default gru)',
    },
    { name: 'n_hidden', type: 'integer', description: 'units per recurrent layer (default 150)' },
    {
      name: 'recurrent_dropout',
      type: 'number',
      description: 'dropout on the hidden state entering the recurrent matmul (default 0.1)',
    },
  ],
  architectureKeys: ['cell', 'n_embd', 'n_hidden', 'n_layer'],
  sentences: false, // a character RNN reads the text as written (char-rnn)
  resolve: (s, given) => {
    validateRNNShape(s);
    if (!given.has('min_lr')) s.min_lr = s.learning_rate;
  },
  create: (s, tokenizer, seed) => new RNNModel(withVocab(s, tokenizer), tokenizer, seed),
  load: (dir) => RNNModel.load(dir),
};

/**
 * BERT: a bidirectional encoder learning by filling masks (models/bert.ts; masking in bert-masking.ts), any
 * tokenizer with [PAD] [CLS] [SEP] [MASK] added; BERT's dropout 0.1.
 */
const BERT_KIND: ModelKind = {
  name: 'bert',
  summary:
    'bidirectional Transformer encoder trained as a masked LM (BERT, post-LN; fill-mask, classify, tag)',
  label: () => 'a BERT',
  defaults: { dropout: 0.1, ...MLM_DEFAULTS },
  settings: [
    {
      name: 'whole_word_masking',
      type: 'boolean',
      description: 'choose whole words for masking, all of their tokens together',
    },
    {
      name: 'mlm_probability',
      type: 'number',
      description: 'share of tokens chosen for masked-LM prediction (default 0.15)',
    },
  ],
  architectureKeys: ['n_layer', 'n_head', 'n_embd', 'block_size'],
  sentences: false, // windows of the text as written, as a GPT reads it
  resolve: (s) => void validateBertShape(s),
  create: (s, tokenizer, seed) => {
    const t = withBertTokens(tokenizer);
    return new BertMaskedLM(withVocab(s, t), t, seed);
  },
  load: (dir) => BertMaskedLM.load(dir),
};

/**
 * ELMo's biLM (Peters et al. 2018), small: word embeddings, 2 LSTM layers per direction, Adam at a constant
 * 1e-3 (as the RNN), windows of 20 tokens, early stopping after 3 evaluations without improvement.
 */
const ELMO_KIND: ModelKind = {
  name: 'elmo',
  summary: "ELMo's biLM: forward and backward LSTM LMs, for contextual vectors (lmkit embed encode)",
  label: () => 'an ELMo biLM',
  defaults: {
    ...ELMO_DEFAULTS,
    block_size: 20,
    batch_size: 32,
    warmup_iters: 0,
    weight_decay: 0,
    beta2: 0.999,
    patience: 3,
  },
  settings: [
    { name: 'tie_weights', type: 'boolean', description: 'tie the softmax to the token embeddings' },
  ],
  architectureKeys: ['n_embd', 'n_layer', 'tie_weights'],
  sentences: true, // its unit is the sentence: ELMo reads sentences between <S> and </S>
  resolve: (s, given) => {
    validateElmoShape(s);
    if (!given.has('min_lr')) s.min_lr = s.learning_rate;
  },
  create: (s, tokenizer, seed) => new ElmoModel(withVocab(s, tokenizer), tokenizer, seed),
  load: (dir) => ElmoModel.load(dir),
};

/**
 * T5 (v1.0: ReLU feed-forward, tied embeddings): an encoder–decoder pretrained on plain text by span
 * corruption; `lmkit train --data FILE.jsonl` of {"input","target"} pairs fine-tunes it text to text
 * (train/text-to-text.ts). Any tokenizer with `<pad>`, `</s>` and the sentinels added; T5's dropout 0.1.
 */
const T5_KIND: ModelKind = {
  name: 't5',
  summary: 'encoder–decoder Transformer (T5 v1.0): span-corruption pretraining, text-to-text fine-tuning',
  label: () => 'a T5',
  textToText: true,
  defaults: { dropout: 0.1, ...T5_DEFAULTS, exact_match_examples: 100 },
  settings: [
    { name: 'd_ff', type: 'integer', description: 'feed-forward width (default 4·n_embd)' },
    {
      name: 'exact_match_examples',
      type: 'integer',
      description: 'held-out pairs answered greedily at each evaluation for valid_exact_match (default 100)',
    },
    { name: 'extra_ids', type: 'integer', description: 'sentinel tokens <extra_id_N> (default 100)' },
    {
      name: 'noise_density',
      type: 'number',
      description: 'share of tokens span corruption hides (default 0.15)',
    },
    {
      name: 'mean_noise_span_length',
      type: 'number',
      description: 'mean length of a hidden span (default 3)',
    },
    {
      name: 'relative_attention_num_buckets',
      type: 'integer',
      description: 'relative position buckets (default 32)',
    },
    {
      name: 'relative_attention_max_distance',
      type: 'integer',
      description: 'distance from which positions share the last bucket (default 128)',
    },
  ],
  architectureKeys: [
    'n_layer',
    'n_head',
    'n_embd',
    'd_ff',
    'block_size',
    'extra_ids',
    'relative_attention_num_buckets',
    'relative_attention_max_distance',
  ],
  sentences: false, // windows of the text as written, as a GPT reads it
  resolve: (s) => void validateT5Shape(s),
  create: (s, tokenizer, seed) => {
    const t = withT5Tokens(tokenizer, (s.extra_ids as number | undefined) ?? T5_DEFAULTS.extra_ids);
    return new T5Model(withVocab(s, t), t, seed);
  },
  load: (dir) => T5Model.load(dir),
};

/** Every neural model kind, by name; the first is the default. */
export const MODEL_KINDS: ReadonlyMap<string, ModelKind> = new Map(
  [GPT_KIND, NPLM_KIND, RNN_KIND, ELMO_KIND, BERT_KIND, T5_KIND].map((k) => [k.name, k]),
);

/** The default kind (a GPT). */
export const DEFAULT_KIND = 'gpt';

/** The kind of this name; an unknown name is an error listing the known ones. */
export function modelKind(name: string): ModelKind {
  const kind = MODEL_KINDS.get(name);
  if (!kind)
    throw new LmkitError(`unknown model kind ${JSON.stringify(name)}`, {
      hint: `known kinds: ${[...MODEL_KINDS.keys()].join(', ')}`,
    });
  return kind;
}
