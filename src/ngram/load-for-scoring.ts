/**
 * Loading a model to score text with, on the short path `lmkit ngram query` takes: a binary file is
 * mapped and read with binary.ts alone; anything else (ARPA, gzip, a path that is no model) goes to
 * `NGramModel.load`, imported only then, which reads it or says what is wrong with the path.
 */
import { readFileMapped } from '../util/map-file.js';
import type { BackoffModel } from './backoff-model.js';
import { isBinaryModel, readBinary } from './binary.js';

/** The backoff model in the file at `path`. */
export async function loadForScoring(path: string): Promise<BackoffModel> {
  let bytes: Buffer | undefined;
  try {
    bytes = readFileMapped(path);
  } catch {
    bytes = undefined; // NGramModel.load explains the path
  }
  if (bytes && isBinaryModel(bytes)) return readBinary(path, bytes);
  const { NGramModel } = await import('./ngram-model.js');
  return NGramModel.load(path).backoff;
}
