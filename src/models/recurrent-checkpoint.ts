/**
 * Checkpoints of the recurrent kinds (`rnn`, `elmo`), one save and one load for both. Their layer stacks are
 * stored under PyTorch nn.LSTM/nn.GRU's names (the parameter `rnn.0.weight_ih` as `rnn.weight_ih_l0`), and
 * config.json records the token every decoding state reads first (`start_token_id`), which loading keeps.
 */
import type { Module } from '../nn/module.js';
import type { SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import { loadCheckpoint, recordedTokenId, saveCheckpoint, type TensorNames } from './checkpoint.js';

/** A recurrent kind's checkpoint format: its kind, how errors name it, its stacks' names, its config check. */
export interface RecurrentFormat<C> {
  kind: string;
  /** "an RNN", "an ELMo biLM". */
  what: string;
  /** The module names of its layer stacks (`rnn`; `forward`, `backward`). */
  stacks: readonly string[];
  /** Checks a config.json, returning a clean config. */
  validate(json: Record<string, unknown>): C;
}

/** What a recurrent model holds that its checkpoint records. */
export interface RecurrentModel<C> {
  net: Module;
  tokenizer: SavableTokenizer;
  config: C;
  startToken: number;
}

/** PyTorch's names for the stacks: `STACK.N.PARAM` is stored as `STACK.PARAM_lN`, and read back. */
export function pytorchStackNames(stacks: readonly string[]): TensorNames {
  const alt = stacks.join('|');
  const param = new RegExp(`^(${alt})\\.(\\d+)\\.(\\w+)$`);
  const stored = new RegExp(`^(${alt})\\.(\\w+)_l(\\d+)$`);
  return {
    save: (name, t) => [name.replace(param, '$1.$3_l$2'), t],
    load: (name, t) => [name.replace(stored, '$1.$3.$2'), t],
  };
}

/**
 * Writes model.safetensors, tokenizer.json and config.json (last) into `dir`, each atomically; `extra`
 * adds keys to config.json and `metadata` to the safetensors header.
 */
export function saveRecurrent<C extends object>(
  format: RecurrentFormat<C>,
  model: RecurrentModel<C>,
  dir: string,
  extra: Record<string, unknown> = {},
  metadata: Record<string, string> = {},
): void {
  saveCheckpoint(dir, {
    kind: format.kind,
    net: model.net,
    tokenizer: model.tokenizer,
    config: { ...model.config, start_token_id: model.startToken, ...extra },
    names: pytorchStackNames(format.stacks),
    metadata,
  });
}

/**
 * Loads a checkpoint folder of the format's kind, building the model from its config, tokenizer and
 * recorded start token; errors name the missing file, the wrong kind, or the bad tensor.
 */
export function loadRecurrent<C extends { vocab_size: number }, M extends RecurrentModel<C>>(
  format: RecurrentFormat<C>,
  dir: string,
  build: (config: C, tokenizer: SavableTokenizer, startToken: number | undefined) => M,
): M {
  return loadCheckpoint(dir, {
    kind: format.kind,
    what: format.what,
    validate: (json) => format.validate(json),
    build: (config, tokenizer, json) => build(config, tokenizer, recordedTokenId(json, 'start_token_id')),
    names: pytorchStackNames(format.stacks),
  });
}
