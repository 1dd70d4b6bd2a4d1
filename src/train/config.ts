/**
 * The training configuration in nanoGPT's names: defaults (nanoGPT's CPU configuration for a small
 * character model), a JSON config file, then flags, each overriding the last; validated as a whole.
 */
import { readFileSync } from 'node:fs';
import { LmkitError } from '../errors.js';
import { DEFAULT_KIND, MODEL_KINDS, modelKind } from '../models/kinds.js';
import { GPT_DEFAULTS } from '../nn/gpt-config.js';
import { presetSettings } from './presets.js';

/**
 * Every setting of a training run, in nanoGPT's names. The model sizes here are shared by the kinds
 * (a GPT's, and the n_embd / n_layer / block_size / dropout of the others); settings only one kind has
 * (`order`, `cell`, `rope`, ...) are declared by that kind in models/kinds.ts and checked there.
 */
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
  /** The model kind (absent: gpt); see models/kinds.ts. */
  model?: string;
  /** A named size preset (src/train/presets.ts) over the defaults; file and flags still override. */
  preset?: string;
  /** SFT: draw each batch from conversations of similar length (less padding; absent: false). */
  group_by_length?: boolean;
  /** The kind's own settings (models/kinds.ts). */
  [kindSetting: string]: unknown;
}

/** Settings a config file may hold beyond the defaults' keys: the run's own and every kind's. */
const OPTIONAL_KEYS = [
  'model',
  'preset',
  'group_by_length',
  ...new Set([...MODEL_KINDS.values()].flatMap((k) => k.settings.map((x) => x.name))),
];

/** Defaults: nanoGPT's laptop-CPU settings for shakespeare_char (a kind may change some, models/kinds.ts). */
export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  n_layer: GPT_DEFAULTS.n_layer,
  n_head: GPT_DEFAULTS.n_head,
  n_embd: GPT_DEFAULTS.n_embd,
  block_size: GPT_DEFAULTS.block_size,
  dropout: GPT_DEFAULTS.dropout,
  bias: GPT_DEFAULTS.bias,
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

const WHOLE = [
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
] as const;

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
 * Merges the defaults, the kind's defaults, a preset, then each layer in order (undefined values
 * skipped); lr_decay_iters follows max_iters unless set, and the kind fills what follows from its own
 * settings. Throws an error naming the first impossible value.
 */
export function resolveTrainConfig(...layers: Partial<TrainConfig>[]): TrainConfig {
  const name = layers.reduce<string | undefined>((m, l) => l.model ?? m, undefined);
  const kind = modelKind(name ?? DEFAULT_KIND);
  const preset = layers.reduce<string | undefined>((p, l) => l.preset ?? p, undefined);
  const c: TrainConfig = {
    ...DEFAULT_TRAIN_CONFIG,
    ...kind.defaults,
    ...(preset === undefined ? {} : presetSettings(preset)),
  };
  const given = new Set<string>();
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (v === undefined) continue;
      c[k] = v;
      given.add(k);
    }
  }
  if (!given.has('lr_decay_iters')) c.lr_decay_iters = c.max_iters;
  validateTrainConfig(c);
  kind.resolve(c, given);
  return c;
}

/** Throws an LmkitError naming the first run setting (optimizer, schedule, loop) that cannot work. */
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
}
