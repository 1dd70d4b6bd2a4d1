/**
 * What every neural checkpoint folder shares, whatever the model: its tokenizer.json checked against
 * the config's vocabulary, weights copied into a network with errors naming the file, token ids checked
 * against the vocabulary, and the log-softmax that turns a row of logits into next-token log-probabilities.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LmkitError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { tokenizerFromJSON, type SavableTokenizer } from '../tokenizers/tokenizer-file.js';

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
