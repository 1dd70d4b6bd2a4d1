/**
 * The training configuration in nanoGPT's names: defaults (nanoGPT's CPU configuration for a small
 * character model), a JSON config file, then flags, each overriding the last; validated as a whole.
 */
import { readFileSync } from 'node:fs';
import { LmkitError } from '../errors.js';
import { presetSettings } from './presets.js';

/** Every setting of a GPT training run. */
export interface TrainConfig {
  n_layer: number;
  n_head: number;
  n_embd: number;
  block_size: number;
  dropout: number;
  bias: boolean;
  batch_size: number;
  learning_rate: number;
  max_iters: number;
  warmup_iters: number;
  lr_decay_iters: number;
  min_lr: number;
  weight_decay: number;
  beta1: number;
  beta2: number;
  grad_clip: number;
  eval_interval: number;
  eval_iters: number;
  /** Stop after this many evaluations without a better validation loss (0: never). */
  patience: number;
  seed: number;
  /** The model kind (absent: gpt). The NPLM and RNN keys below are set only for runs of that kind. */
  model?: 'gpt' | 'nplm' | 'rnn';
  /** NPLM: n, so n−1 tokens of context (block_size follows as n−1). */
  order?: number;
  /** NPLM: tanh hidden units; RNN: units of each recurrent layer. */
  n_hidden?: number;
  /** NPLM: direct connections from the embeddings to the output. */
  direct?: boolean;
  /** RNN: the recurrent cell. */
  cell?: 'gru' | 'lstm';
  /** RNN: dropout on the hidden state entering the recurrent matmul (one mask per sequence). */
  recurrent_dropout?: number;
  /** A named size preset (src/train/presets.ts) that replaces the defaults; file and flags still override. */
  preset?: string;
  /** GPT: rotary position embeddings instead of a learned position table (absent: false). */
  rope?: boolean;
  /** GPT: layernorm (GPT-2, absent) or rmsnorm. */
  norm?: 'layernorm' | 'rmsnorm';
  /** SFT: draw each batch from conversations of similar length (less padding; absent: false). */
  group_by_length?: boolean;
}

/** NPLM defaults (Bengio et al. 2003's n = 5, h = 100; n_embd stays a shared key). */
export const NPLM_DEFAULTS = { order: 5, n_hidden: 100, direct: false } as const;

/**
 * Character RNN defaults, the classic Keras recipe: embedding 50, one GRU of 150 units, windows of 30
 * characters, dropout and recurrent dropout 0.1, Adam (no weight decay, Keras's β2 0.999) at a constant
 * learning rate of 1e-3 (min_lr follows learning_rate unless set), early stopping after 3 evaluations.
 */
export const RNN_DEFAULTS: Partial<TrainConfig> = {
  cell: 'gru',
  n_embd: 50,
  n_hidden: 150,
  n_layer: 1,
  block_size: 30,
  dropout: 0.1,
  recurrent_dropout: 0.1,
  batch_size: 64,
  warmup_iters: 0,
  weight_decay: 0,
  beta2: 0.999,
  patience: 3,
};

/** The keys that fix a character RNN's architecture. */
export const RNN_ARCHITECTURE_KEYS = ['cell', 'n_embd', 'n_hidden', 'n_layer'] as const;

/** Settings a config file may hold beyond the defaults' keys. */
const OPTIONAL_KEYS = [
  'model',
  'order',
  'n_hidden',
  'direct',
  'cell',
  'recurrent_dropout',
  'preset',
  'rope',
  'norm',
  'group_by_length',
];

/** Defaults: nanoGPT's laptop-CPU settings for shakespeare_char. */
export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  n_layer: 4,
  n_head: 4,
  n_embd: 128,
  block_size: 64,
  dropout: 0,
  bias: true,
  batch_size: 12,
  learning_rate: 1e-3,
  max_iters: 2000,
  warmup_iters: 100,
  lr_decay_iters: 2000,
  min_lr: 1e-4,
  weight_decay: 0.1,
  beta1: 0.9,
  beta2: 0.99,
  grad_clip: 1.0,
  eval_interval: 250,
  eval_iters: 20,
  patience: 0,
  seed: 1337,
};

/** The keys that fix a model's architecture (a resumed run may not change them). */
export const ARCHITECTURE_KEYS = [
  'n_layer',
  'n_head',
  'n_embd',
  'block_size',
  'bias',
  'rope',
  'norm',
] as const;

const WHOLE: (keyof TrainConfig)[] = [
  'n_layer',
  'n_head',
  'n_embd',
  'block_size',
  'batch_size',
  'max_iters',
  'warmup_iters',
  'lr_decay_iters',
  'eval_interval',
  'eval_iters',
  'patience',
  'seed',
];

/** Reads a JSON config file of TrainConfig keys; unknown keys are an error naming them. */
export function readTrainConfigFile(path: string): Partial<TrainConfig> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new LmkitError(
      e.code === 'ENOENT' ? `config file ${path} does not exist` : `config ${path}: ${e.message}`,
    );
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new LmkitError(`config ${path} must be a JSON object of settings`);
  const unknown = Object.keys(json).filter((k) => !(k in DEFAULT_TRAIN_CONFIG) && !OPTIONAL_KEYS.includes(k));
  if (unknown.length)
    throw new LmkitError(`config ${path}: unknown setting(s) ${unknown.join(', ')}`, {
      hint: `known: ${[...Object.keys(DEFAULT_TRAIN_CONFIG), ...OPTIONAL_KEYS].join(', ')}`,
    });
  return json as Partial<TrainConfig>;
}

/**
 * Merges defaults, then each layer in order (undefined values skipped); lr_decay_iters follows
 * max_iters unless set. Throws an error naming the first impossible value.
 */
export function resolveTrainConfig(...layers: Partial<TrainConfig>[]): TrainConfig {
  const model = layers.reduce<TrainConfig['model']>((m, l) => l.model ?? m, undefined);
  const preset = layers.reduce<string | undefined>((p, l) => l.preset ?? p, undefined);
  const c: TrainConfig = {
    ...DEFAULT_TRAIN_CONFIG,
    ...(model === 'rnn' ? RNN_DEFAULTS : {}),
    ...(preset === undefined ? {} : presetSettings(preset)),
  };
  const set = new Set<string>();
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (v === undefined) continue;
      (c as unknown as Record<string, unknown>)[k] = v;
      set.add(k);
    }
  }
  if (!set.has('lr_decay_iters')) c.lr_decay_iters = c.max_iters;
  if (model === 'rnn' && !set.has('min_lr')) c.min_lr = c.learning_rate;
  if (c.model === 'nplm') {
    c.order ??= NPLM_DEFAULTS.order;
    c.n_hidden ??= NPLM_DEFAULTS.n_hidden;
    c.direct ??= NPLM_DEFAULTS.direct;
    if (Number.isInteger(c.order) && c.order >= 2) c.block_size = c.order - 1;
  }
  validateTrainConfig(c);
  return c;
}

/** Throws an LmkitError naming the first setting that cannot work. */
export function validateTrainConfig(c: TrainConfig): void {
  for (const k of WHOLE) {
    const v = c[k];
    const min = k === 'warmup_iters' || k === 'patience' || k === 'seed' ? 0 : 1;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      throw new LmkitError(`${k} must be a whole number ≥ ${min} (got ${JSON.stringify(v)})`);
  }
  for (const k of ['learning_rate', 'min_lr', 'weight_decay', 'grad_clip', 'dropout'] as const) {
    const v = c[k];
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v))
      throw new LmkitError(`${k} must be a number ≥ 0 (got ${JSON.stringify(v)})`);
  }
  for (const k of ['beta1', 'beta2'] as const) {
    const v = c[k];
    if (typeof v !== 'number' || !(v >= 0 && v < 1))
      throw new LmkitError(`${k} must be in [0, 1) (got ${JSON.stringify(v)})`);
  }
  if (c.dropout >= 1) throw new LmkitError(`dropout must be below 1 (got ${c.dropout})`);
  if (c.group_by_length !== undefined && typeof c.group_by_length !== 'boolean')
    throw new LmkitError(`group_by_length must be true or false (got ${JSON.stringify(c.group_by_length)})`);
  if (c.model !== undefined && c.model !== 'gpt' && c.model !== 'nplm' && c.model !== 'rnn')
    throw new LmkitError(`model must be gpt, nplm or rnn (got ${JSON.stringify(c.model)})`);
  if (c.model === 'rnn') {
    if (c.cell !== 'gru' && c.cell !== 'lstm')
      throw new LmkitError(`cell must be gru or lstm (got ${JSON.stringify(c.cell)})`);
    if (typeof c.n_hidden !== 'number' || !Number.isInteger(c.n_hidden) || c.n_hidden < 1)
      throw new LmkitError(`n_hidden must be a whole number ≥ 1 (got ${JSON.stringify(c.n_hidden)})`);
    const r = c.recurrent_dropout;
    if (typeof r !== 'number' || !(r >= 0 && r < 1))
      throw new LmkitError(`recurrent_dropout must be in [0, 1) (got ${JSON.stringify(r)})`);
    return;
  }
  if (c.model === 'nplm') {
    for (const [k, min] of [
      ['order', 2],
      ['n_hidden', 0],
    ] as const) {
      const v = c[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
        throw new LmkitError(`${k} must be a whole number ≥ ${min} (got ${JSON.stringify(v)})`);
    }
    if (typeof c.direct !== 'boolean')
      throw new LmkitError(`direct must be true or false (got ${JSON.stringify(c.direct)})`);
    if (c.n_hidden === 0 && !c.direct)
      throw new LmkitError('n_hidden is 0 and direct is off, so nothing reaches the output', {
        hint: 'give --n_hidden ≥ 1 or --direct',
      });
    return;
  }
  if (c.n_embd % c.n_head !== 0)
    throw new LmkitError(`n_embd ${c.n_embd} is not divisible by n_head ${c.n_head}`, {
      hint: `choose n_embd as a multiple of n_head, e.g. ${c.n_head * Math.max(1, Math.round(c.n_embd / c.n_head))}`,
    });
  if (typeof c.bias !== 'boolean')
    throw new LmkitError(`bias must be true or false (got ${JSON.stringify(c.bias)})`);
}
