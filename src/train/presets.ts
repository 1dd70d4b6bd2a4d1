/**
 * Named GPT size presets (`lmkit train --preset NAME`, or `"preset"` in a config file): a preset replaces
 * the defaults, and a config file and flags still override it. Shapes and optimizer settings follow
 * nanoGPT's configs and the GPT-2 paper; the `-rope` variants use rotary embeddings and RMSNorm without
 * biases (the Llama-style block) at the same sizes. GPT-2 medium/large/XL take their learning rates
 * from the GPT-3 paper's table for models of those sizes.
 */
import { LmkitError } from '../errors.js';
import type { TrainConfig } from './config.js';

/** A named preset: what it is, and the settings it gives. */
export interface Preset {
  summary: string;
  settings: Partial<TrainConfig>;
}

/** nanoGPT's train_gpt2.py optimizer settings, used by the GPT-2 shapes. */
const GPT2_OPTIM: Partial<TrainConfig> = {
  block_size: 1024,
  batch_size: 12,
  dropout: 0,
  bias: true,
  learning_rate: 6e-4,
  min_lr: 6e-5,
  warmup_iters: 2000,
  max_iters: 600000,
  weight_decay: 0.1,
  beta1: 0.9,
  beta2: 0.95,
  grad_clip: 1,
  eval_interval: 2000,
  eval_iters: 200,
};

/** nanoGPT's laptop-CPU character model (shakespeare_char on a MacBook): lmkit's defaults as they are. */
const CHAR: Partial<TrainConfig> = {};

/** Every preset by name. */
export const PRESETS: Record<string, Preset> = {
  tiny: {
    summary: '2 layers, 2 heads, 64 wide, block 32, batch 8: 0.1M parameters + embeddings, for smoke tests',
    settings: { n_layer: 2, n_head: 2, n_embd: 64, block_size: 32, batch_size: 8, max_iters: 500 },
  },
  char: {
    summary:
      "nanoGPT's laptop-CPU character model (the defaults): 4 layers, 4 heads, 128 wide, block 64, batch 12",
    settings: CHAR,
  },
  'char-rope': {
    summary: 'the char model with rotary embeddings, RMSNorm and no biases',
    settings: { ...CHAR, bias: false, rope: true, norm: 'rmsnorm' },
  },
  'shakespeare-char': {
    summary:
      "nanoGPT's GPU character model: 6 layers, 6 heads, 384 wide, block 256, batch 64, dropout 0.2 (10.7M)",
    settings: {
      n_layer: 6,
      n_head: 6,
      n_embd: 384,
      block_size: 256,
      batch_size: 64,
      dropout: 0.2,
      learning_rate: 1e-3,
      min_lr: 1e-4,
      max_iters: 5000,
      warmup_iters: 100,
      beta2: 0.99,
      eval_interval: 250,
      eval_iters: 200,
    },
  },
  'gpt2-small': {
    summary: 'GPT-2 small (124M with a 50,257 vocabulary): 12 layers, 12 heads, 768 wide, block 1024',
    settings: { ...GPT2_OPTIM, n_layer: 12, n_head: 12, n_embd: 768 },
  },
  'gpt2-small-rope': {
    summary: 'GPT-2 small shape with rotary embeddings, RMSNorm and no biases',
    settings: {
      ...GPT2_OPTIM,
      n_layer: 12,
      n_head: 12,
      n_embd: 768,
      bias: false,
      rope: true,
      norm: 'rmsnorm',
    },
  },
  'gpt2-medium': {
    summary: 'GPT-2 medium (350M): 24 layers, 16 heads, 1024 wide, block 1024',
    settings: { ...GPT2_OPTIM, n_layer: 24, n_head: 16, n_embd: 1024, learning_rate: 3e-4, min_lr: 3e-5 },
  },
  'gpt2-large': {
    summary: 'GPT-2 large (774M): 36 layers, 20 heads, 1280 wide, block 1024',
    settings: { ...GPT2_OPTIM, n_layer: 36, n_head: 20, n_embd: 1280, learning_rate: 2.5e-4, min_lr: 2.5e-5 },
  },
  'gpt2-xl': {
    summary: 'GPT-2 XL (1558M): 48 layers, 25 heads, 1600 wide, block 1024',
    settings: { ...GPT2_OPTIM, n_layer: 48, n_head: 25, n_embd: 1600, learning_rate: 2e-4, min_lr: 2e-5 },
  },
};

/** The settings of a named preset; an unknown name is an error listing the known ones. */
export function presetSettings(name: string): Partial<TrainConfig> {
  const p = Object.prototype.hasOwnProperty.call(PRESETS, name) ? PRESETS[name] : undefined;
  if (!p)
    throw new LmkitError(`unknown preset ${JSON.stringify(name)}`, {
      hint: `known presets: ${Object.keys(PRESETS).join(', ')}`,
    });
  return { ...p.settings };
}
