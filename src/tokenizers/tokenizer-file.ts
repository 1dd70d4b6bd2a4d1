/**
 * Tokenizer files: JSON with a `kind` field naming the tokenizer class, so any tokenizer can be
 * loaded from a file without knowing its kind in advance.
 */
import { LmkitError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { CharTokenizer, type CharTokenizerJSON } from './char.js';
import { readJSON } from './vocab.js';
import { WordTokenizer, type WordTokenizerJSON } from './word.js';

/** A tokenizer that has a JSON form. */
export type SavableTokenizer = WordTokenizer | CharTokenizer;

/** The JSON form of any savable tokenizer. */
export type TokenizerJSON = WordTokenizerJSON | CharTokenizerJSON;

/** Rebuilds a tokenizer from its JSON form, dispatching on `kind`. */
export function tokenizerFromJSON(json: unknown): SavableTokenizer {
  const kind = (json as { kind?: unknown } | null)?.kind;
  switch (kind) {
    case 'word':
      return WordTokenizer.fromJSON(json as WordTokenizerJSON);
    case 'char':
      return CharTokenizer.fromJSON(json as CharTokenizerJSON);
    default:
      throw new LmkitError(`not an lmkit tokenizer: unknown kind ${JSON.stringify(kind ?? null)}`, {
        hint: 'expected a tokenizer.json written by lmkit (kind "word" or "char")',
      });
  }
}

/** Writes a tokenizer as JSON to `path`, atomically. */
export function saveTokenizer(tokenizer: SavableTokenizer, path: string): void {
  writeFileAtomic(path, [JSON.stringify(tokenizer.toJSON()) + '\n']);
}

/** Reads a tokenizer file written by {@link saveTokenizer}. */
export async function loadTokenizer(path: string): Promise<SavableTokenizer> {
  return tokenizerFromJSON(await readJSON(path));
}
