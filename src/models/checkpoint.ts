/**
 * A neural model's checkpoint folder, written and read once for every kind (as Hugging Face lays it out):
 * `model.safetensors` (the network's parameters, stamped with the kind), `tokenizer.json`, and
 * `config.json` written last — a folder whose config.json is there is complete. Each file is written
 * atomically. A kind gives only what differs: its config keys and, where its stored names or layouts
 * differ from its parameters' (GPT-2's transposed Conv1D weights, PyTorch's `weight_ih_l0`), a
 * {@link TensorNames} hook.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Preprocessing } from '../data/clean.js';
import { LmkitError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { readSafetensors, serializeSafetensors } from '../nn/safetensors.js';
import { saveTokenizer, tokenizerFromJSON, type SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { preprocessingFromRun } from './preprocessing.js';

/** The files of a checkpoint folder (Hugging Face's names). */
export const CHECKPOINT_FILES = {
  config: 'config.json',
  weights: 'model.safetensors',
  tokenizer: 'tokenizer.json',
} as const;

/** A tensor as stored: shape and values. */
export interface StoredTensor {
  shape: readonly number[];
  data: ArrayLike<number>;
}

/** How a kind's parameters map to stored tensors and back (identity where a hook is absent). */
export interface TensorNames {
  /** The stored name and tensor of a parameter. */
  save?(name: string, t: StoredTensor): [string, StoredTensor];
  /** The parameter name and tensor of a stored one, or null to skip it (a tied head, a causal mask). */
  load?(name: string, t: StoredTensor): [string, StoredTensor] | null;
}

/** What a checkpoint folder holds besides the network's own parameters. */
export interface CheckpointContents {
  /** The model kind, recorded as config.json's `lmkit_kind` and in the safetensors header. */
  kind: string;
  net: Module;
  tokenizer: SavableTokenizer;
  /** config.json's keys (`lmkit_kind` is added first). */
  config: Record<string, unknown>;
  names?: TensorNames;
  /** Extra safetensors header entries (the training step). */
  metadata?: Record<string, string>;
}

/** Writes a checkpoint folder (created if needed); see the module comment. */
export function saveCheckpoint(dir: string, c: CheckpointContents): void {
  const weights = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  for (const { name, tensor } of c.net.namedParameters()) {
    const own: StoredTensor = { shape: tensor.shape, data: tensor.data };
    const [stored, t] = c.names?.save ? c.names.save(name, own) : [name, own];
    weights.set(stored, { shape: t.shape, data: t.data as Float32Array });
  }
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, CHECKPOINT_FILES.weights), [
    serializeSafetensors(weights, { format: 'pt', lmkit_kind: c.kind, ...c.metadata }),
  ]);
  saveTokenizer(c.tokenizer, join(dir, CHECKPOINT_FILES.tokenizer));
  writeFileAtomic(join(dir, CHECKPOINT_FILES.config), [
    JSON.stringify({ lmkit_kind: c.kind, ...c.config }, null, 2) + '\n',
  ]);
}

/** The model kind a parsed config.json records (`lmkit_kind`, or Hugging Face's `model_type`). */
export function checkpointKind(json: Record<string, unknown>): string | null {
  const kind = json.lmkit_kind ?? (json.model_type === 'gpt2' ? 'gpt' : json.model_type);
  return typeof kind === 'string' ? kind : null;
}

/** Reads a folder's config.json as an object; a missing file or bad JSON is an error naming it. */
export function readConfigJSON(dir: string): Record<string, unknown> {
  const path = join(dir, CHECKPOINT_FILES.config);
  if (!existsSync(path))
    throw new LmkitError(`${dir} is not a model checkpoint: it has no config.json`, {
      hint: "train one with 'lmkit train'",
    });
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new LmkitError(`${path} is not valid JSON (${(err as Error).message})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new LmkitError(`${path} must hold a JSON object`);
  return json as Record<string, unknown>;
}

/**
 * Loads a checkpoint folder of model `kind` (`what` names it in errors, e.g. "an NPLM"): config.json
 * checked to be of that kind and turned into a config by `validate`, the tokenizer checked against its
 * vocab_size, a model built by `build`, its run's text preparation (`training.clean`) recorded on it, then
 * its network's weights read through `names`.
 */
export function loadCheckpoint<
  C extends { vocab_size: number },
  M extends { net: Module; preprocessing?: Preprocessing },
>(
  dir: string,
  spec: {
    kind: string;
    what: string;
    validate(json: Record<string, unknown>): C;
    build(config: C, tokenizer: SavableTokenizer, json: Record<string, unknown>): M;
    names?: TensorNames;
  },
): M {
  const json = readConfigJSON(dir);
  const found = checkpointKind(json);
  if (found !== spec.kind)
    throw new LmkitError(`${dir} holds a model of kind ${JSON.stringify(found)}, not ${spec.what}`, {
      hint: `use a checkpoint written by lmkit train --model ${spec.kind}`,
    });
  let config: C;
  try {
    config = spec.validate(json);
  } catch (err) {
    throw new LmkitError(`${join(dir, CHECKPOINT_FILES.config)}: ${(err as Error).message}`);
  }
  const tokenizer = readCheckpointTokenizer(dir, config.vocab_size);
  const model = spec.build(config, tokenizer, json);
  model.preprocessing = preprocessingFromRun(json);
  loadWeights(model.net, join(dir, CHECKPOINT_FILES.weights), spec.names);
  return model;
}

/** Copies the tensors of a model.safetensors into `net` (through `names`); errors name the file and tensor. */
export function loadWeights(net: Module, path: string, names: TensorNames = {}): void {
  if (!existsSync(path)) throw new LmkitError(`checkpoint weights ${path} do not exist`);
  const values = new Map<string, StoredTensor>();
  for (const [stored, t] of readSafetensors(path).tensors) {
    const mapped = names.load ? names.load(stored, t) : ([stored, t] as [string, StoredTensor]);
    if (mapped) values.set(mapped[0], mapped[1]);
  }
  try {
    net.loadStateDict(values);
  } catch (err) {
    if (err instanceof LmkitError) throw new LmkitError(`${path}: ${err.message}`, { hint: err.hint });
    throw err;
  }
}

/** A token id config.json records under `key` (pad_token_id, start_token_id), or undefined when absent. */
export function recordedTokenId(json: Record<string, unknown>, key: string): number | undefined {
  const v = json[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new LmkitError(`config.json: ${key} must be a whole number ≥ 0 (got ${JSON.stringify(v)})`);
  return v;
}

/** Throws unless a model config's vocab_size equals the tokenizer's size (`what` names the model, e.g. "GPT"). */
export function checkConfigVocab(what: string, vocabSize: number, tokenizer: SavableTokenizer): void {
  if (vocabSize !== tokenizer.vocabSize)
    throw new LmkitError(
      `${what} config: vocab_size ${vocabSize} does not match the tokenizer's ${tokenizer.vocabSize} tokens`,
    );
}

/** Reads a folder's tokenizer.json and checks it has `vocabSize` tokens. */
function readCheckpointTokenizer(dir: string, vocabSize: number): SavableTokenizer {
  const path = join(dir, CHECKPOINT_FILES.tokenizer);
  if (!existsSync(path)) throw new LmkitError(`checkpoint ${dir} has no ${CHECKPOINT_FILES.tokenizer}`);
  let tokenizer: SavableTokenizer;
  try {
    tokenizer = tokenizerFromJSON(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new LmkitError(`${path}: ${(err as Error).message}`);
  }
  if (tokenizer.vocabSize !== vocabSize)
    throw new LmkitError(
      `checkpoint ${dir}: the tokenizer has ${tokenizer.vocabSize} tokens but config.json says vocab_size ${vocabSize}`,
      { hint: 'the tokenizer.json belongs to another model' },
    );
  return tokenizer;
}
