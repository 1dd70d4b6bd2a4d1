/**
 * What every neural checkpoint folder shares, whatever the model: its files written atomically with
 * config.json last; config.json read and checked to be of the expected kind; tokenizer.json checked
 * against the config's vocabulary; weights copied into a network with errors naming the file; token ids
 * checked against the vocabulary; and the log-softmax that turns logits into next-token log-probabilities.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LmkitError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { serializeSafetensors } from '../nn/safetensors.js';
import { saveTokenizer, tokenizerFromJSON, type SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/** The files of a checkpoint folder (Hugging Face's names). */
export const CHECKPOINT_FILES = {
  config: 'config.json',
  weights: 'model.safetensors',
  tokenizer: 'tokenizer.json',
} as const;

/** Weights as stored: tensor name → shape and values. */
export type StoredWeights = Map<string, { shape: readonly number[]; data: Float32Array }>;

/**
 * Writes a checkpoint folder (created if needed): model.safetensors stamped with the model kind and
 * `metadata`, tokenizer.json, then config.json last, each atomically — a folder whose config.json is
 * there is complete.
 */
export function writeCheckpointFiles(
  dir: string,
  kind: string,
  weights: StoredWeights,
  tokenizer: SavableTokenizer,
  config: Record<string, unknown>,
  metadata: Record<string, string> = {},
): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, CHECKPOINT_FILES.weights), [
    serializeSafetensors(weights, { format: 'pt', lmkit_kind: kind, ...metadata }),
  ]);
  saveTokenizer(tokenizer, join(dir, CHECKPOINT_FILES.tokenizer));
  writeFileAtomic(join(dir, CHECKPOINT_FILES.config), [JSON.stringify(config, null, 2) + '\n']);
}

/** The model kind a parsed config.json records (`lmkit_kind`, or Hugging Face's `model_type`). */
export function checkpointKind(json: Record<string, unknown>): string | null {
  const kind = json.lmkit_kind ?? (json.model_type === 'gpt2' ? 'gpt' : json.model_type);
  return typeof kind === 'string' ? kind : null;
}

/**
 * Reads `dir/config.json`, checks it records model `kind` (`what` names it in errors, e.g. "an NPLM") and
 * returns `validate(json)`; a missing file, bad JSON, another kind or a bad value is an error naming it.
 */
export function readKindConfig<T>(
  dir: string,
  kind: string,
  what: string,
  validate: (json: Record<string, unknown>) => T,
): T {
  const path = join(dir, 'config.json');
  if (!existsSync(path))
    throw new LmkitError(`${dir} is not a model checkpoint: it has no config.json`, {
      hint: `train one with 'lmkit train --model ${kind}'`,
    });
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new LmkitError(`${path} is not valid JSON (${(err as Error).message})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new LmkitError(`${path} is not a JSON object of settings`);
  const found = checkpointKind(json);
  if (found !== kind)
    throw new LmkitError(`${dir} holds a model of kind ${JSON.stringify(found)}, not ${what}`, {
      hint: `use a checkpoint written by lmkit train --model ${kind}`,
    });
  try {
    return validate(json);
  } catch (err) {
    throw new LmkitError(`${path}: ${(err as Error).message}`);
  }
}

/**
 * The token that precedes a line in a model's training stream, which NPLM padding and RNN decoding start
 * from: `</s>` for word tokenizers (word corpora are joined with `</s>`), the line break for character and
 * BPE tokenizers (joined with "\n"), else `<s>` or id 0.
 */
export function lineStartToken(tokenizer: SavableTokenizer): number {
  const s = tokenizer.special;
  if (tokenizer.kind === 'word') return s.eos ?? s.bos ?? (s.unk as number);
  const nl = tokenizer.encode('\n');
  if (nl.length === 1 && nl[0] !== s.unk) return nl[0];
  return s.bos ?? s.eos ?? 0;
}

/** Throws unless a model config's vocab_size equals the tokenizer's size (`what` names the model, e.g. "GPT"). */
export function checkConfigVocab(what: string, vocabSize: number, tokenizer: SavableTokenizer): void {
  if (vocabSize !== tokenizer.vocabSize)
    throw new LmkitError(
      `${what} config: vocab_size ${vocabSize} does not match the tokenizer's ${tokenizer.vocabSize} tokens`,
    );
}

/** Reads `dir/name` as a tokenizer and checks it has `vocabSize` tokens. */
export function readCheckpointTokenizer(dir: string, name: string, vocabSize: number): SavableTokenizer {
  const path = join(dir, name);
  if (!existsSync(path)) throw new LmkitError(`checkpoint ${dir} has no ${name}`);
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

/** Copies named tensors read from `path` into `net`; a missing or mis-shaped tensor is an error naming the file. */
export function loadNamedTensors(
  net: Module,
  path: string,
  values: Map<string, { shape: readonly number[]; data: ArrayLike<number> }>,
): void {
  try {
    net.loadStateDict(values);
  } catch (err) {
    if (err instanceof LmkitError) throw new LmkitError(`${path}: ${err.message}`, { hint: err.hint });
    throw err;
  }
}

/** Throws when `t` is not a token id of a vocabulary of `vocabSize`. */
export function checkTokenId(t: number, vocabSize: number): void {
  if (!Number.isInteger(t) || t < 0 || t >= vocabSize)
    throw new LmkitError(`token id ${t} is outside the vocabulary of ${vocabSize}`);
}

/** log-softmax of one row of logits, accumulated in float64. */
export function logSoftmax(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  const lse = max + Math.log(sum);
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i] - lse;
  return out;
}
