/**
 * Tokenizer files: JSON with a `kind` field naming the tokenizer class, so any tokenizer can be
 * loaded from a file without knowing its kind in advance. Byte-level BPE tokenizers (kind "bpe") are
 * written as Hugging Face `tokenizer.json` instead, which has a `model` and no `kind`.
 */
import { existsSync } from 'node:fs';
import { LmkitError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { BPETokenizer } from './bpe.js';
import {
  bpeFromTokenizerJSON,
  isHFTokenizerJSON,
  toTokenizerJSON,
  type HFTokenizerJSON,
} from './bpe-json.js';
import { CharTokenizer, type CharTokenizerJSON } from './char.js';
import { readJSON } from './vocab.js';
import { WordTokenizer, type WordTokenizerJSON } from './word.js';
import { showValue } from '../util/show-value.js';

/** A tokenizer that has a JSON form. */
export type SavableTokenizer = WordTokenizer | CharTokenizer | BPETokenizer;

/** The JSON form of any savable tokenizer. */
export type TokenizerJSON = WordTokenizerJSON | CharTokenizerJSON | HFTokenizerJSON;

/** Rebuilds a tokenizer from its JSON form, dispatching on `kind` (a `tokenizer.json` is BPE). */
export function tokenizerFromJSON(json: unknown): SavableTokenizer {
  if (isHFTokenizerJSON(json)) return bpeFromTokenizerJSON(json);
  const kind = (json as { kind?: unknown } | null)?.kind;
  switch (kind) {
    case 'word':
      return WordTokenizer.fromJSON(json as WordTokenizerJSON);
    case 'char':
      return CharTokenizer.fromJSON(json as CharTokenizerJSON);
    default:
      throw new LmkitError(`not an lmkit tokenizer: unknown kind ${showValue(kind ?? null)}`, {
        hint: 'expected a tokenizer file written by lmkit (kind "word" or "char") or a BPE tokenizer.json',
      });
  }
}

/** Writes a tokenizer as JSON to `path`, atomically. */
export function saveTokenizer(tokenizer: SavableTokenizer, path: string): void {
  writeFileAtomic(path, [JSON.stringify(tokenizerJSON(tokenizer)) + '\n']);
}

/** A tokenizer as the JSON its file holds (two tokenizers are the same when these are equal). */
export function tokenizerJSON(tokenizer: SavableTokenizer): TokenizerJSON {
  return tokenizer instanceof BPETokenizer ? toTokenizerJSON(tokenizer) : tokenizer.toJSON();
}

/** Reads a tokenizer file written by {@link saveTokenizer}, or a byte-level BPE tokenizer.json; errors name the file. */
export async function loadTokenizer(path: string): Promise<SavableTokenizer> {
  const json = await readJSON(path);
  try {
    return tokenizerFromJSON(json);
  } catch (err) {
    if (err instanceof LmkitError) throw new LmkitError(`${path}: ${err.message}`, { hint: err.hint });
    throw err;
  }
}

/** Names of the built-in tokenizers {@link resolveTokenizer} knows besides files. */
export const BUILTIN_TOKENIZERS = ['gpt2'] as const;

/** A tokenizer file, or `gpt2` (GPT-2's byte-level BPE) when no file of that name exists. */
export async function resolveTokenizer(nameOrPath: string): Promise<SavableTokenizer> {
  // GPT-2's 50k ranks are only parsed when asked for.
  if (nameOrPath === 'gpt2' && !existsSync(nameOrPath))
    return (await import('./bpe-gpt2.js')).gpt2Tokenizer();
  if (!existsSync(nameOrPath))
    throw new LmkitError(`tokenizer not found: ${nameOrPath}`, {
      hint: `give a tokenizer file (tokenizer.json) or one of: ${BUILTIN_TOKENIZERS.join(', ')}`,
    });
  return loadTokenizer(nameOrPath);
}
