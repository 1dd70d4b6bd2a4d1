/** Loads a model of any kind from a path: an n-gram file (.arpa, .arpa.gz, .bin) or a checkpoint directory. */
import { existsSync, statSync } from 'node:fs';
import { LmkitError } from '../errors.js';
import type { LanguageModel } from '../lm.js';
import { NGramModel } from '../ngram/ngram-model.js';
import { GPTModel } from './gpt.js';

/** The model at `path`: a directory holding config.json is a checkpoint (GPT), a file is an n-gram model. */
export function loadLanguageModel(path: string): LanguageModel {
  if (!existsSync(path))
    throw new LmkitError(`model ${path} does not exist`, {
      hint: "give an n-gram file (.arpa, .bin) or a checkpoint directory from 'lmkit train'",
    });
  if (!statSync(path).isDirectory()) return NGramModel.load(path);
  return GPTModel.load(path);
}
