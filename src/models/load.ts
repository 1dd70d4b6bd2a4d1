/** Loads a model of any kind from a path: an n-gram file (.arpa, .arpa.gz, .bin) or a checkpoint directory. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LmkitError } from '../errors.js';
import type { LanguageModel } from '../lm.js';
import { NGramModel } from '../ngram/ngram-model.js';
import { CHECKPOINT_FILES, GPTModel } from './gpt.js';
import { checkpointKind } from './checkpoint-parts.js';
import { NPLMModel } from './nplm.js';
import { RNNModel } from './rnn.js';
import { checkWeightsFit } from './weights-budget.js';

/** The model at `path`: a checkpoint directory (GPT, NPLM or RNN, by its config.json's kind), or an n-gram file. */
export function loadLanguageModel(path: string): LanguageModel {
  if (!existsSync(path))
    throw new LmkitError(`model ${path} does not exist`, {
      hint: "give an n-gram file (.arpa, .bin) or a checkpoint directory from 'lmkit train'",
    });
  if (!statSync(path).isDirectory()) return NGramModel.load(path);
  const config = configAt(path);
  const kind = config ? checkpointKind(config) : null;
  checkWeightsFit(path, CHECKPOINT_FILES.weights, kind, config);
  if (kind === 'nplm') return NPLMModel.load(path);
  if (kind === 'rnn') return RNNModel.load(path);
  return GPTModel.load(path);
}

/** A checkpoint's config.json as an object (null when absent, unreadable or not an object; the loader then explains). */
function configAt(dir: string): Record<string, unknown> | null {
  try {
    const json = JSON.parse(readFileSync(join(dir, CHECKPOINT_FILES.config), 'utf8')) as unknown;
    return json && typeof json === 'object' && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
