/** The model `lmkit serve` builds when it is given none: a Kneser-Ney trigram on the Brown corpus, in seconds. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSentences } from '../data/load.js';
import { NGramModel } from '../ngram/ngram-model.js';
import { trainNGram } from '../ngram/train.js';

/** The file name the default model is saved under in the models folder. */
export const DEFAULT_MODEL_FILE = 'brown-kn3.bin';

/** Trains the default model (lowercased Brown, mod10 train split) and saves it in `dir`; returns its path. */
export async function buildDefaultModel(dir: string): Promise<string> {
  const sentences = await loadSentences('brown', { split: 'train', splitScheme: 'mod10', lowercase: true });
  const { model } = trainNGram(sentences, { order: 3, smoothing: 'kn', preprocessing: { lowercase: true } });
  mkdirSync(dir, { recursive: true });
  const path = join(dir, DEFAULT_MODEL_FILE);
  new NGramModel(model).save(path);
  return path;
}
