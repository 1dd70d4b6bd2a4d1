/**
 * How a model wants its text prepared: an n-gram model records lowercasing, classic cleaning and punctuation
 * splitting in its details; a neural checkpoint's run records `--clean` in config.json. Evaluation text and
 * prompts go through the same preparation as the training text did.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareText, type Preprocessing } from '../data/clean.js';
import { LmkitError } from '../errors.js';
import type { LanguageModel } from '../lm.js';
import { NGramModel } from '../ngram/ngram-model.js';

/**
 * The preprocessing to apply to evaluation text for `model` loaded from `path`: what an n-gram model
 * records in its details, or the classic cleaning a checkpoint's run used (config.json `training.clean`);
 * neural tokenizers lowercase by themselves when trained to.
 */
export function preprocessingOf(model: LanguageModel, path?: string): Preprocessing {
  if (model instanceof NGramModel) {
    const d = model.backoff.info.details ?? {};
    return { lowercase: d.lowercase === true, clean: d.clean === true, tokenize: d.tokenize === true };
  }
  let training: Record<string, unknown> = {};
  if (path !== undefined && existsSync(join(path, 'config.json'))) {
    try {
      const config = JSON.parse(readFileSync(join(path, 'config.json'), 'utf8')) as { training?: unknown };
      if (config.training && typeof config.training === 'object')
        training = config.training as Record<string, unknown>;
    } catch {
      // an unreadable config.json has already failed the model's own loading
    }
  }
  return { lowercase: false, clean: training.clean === true, tokenize: false };
}

/** Throws when two models to be mixed prepare text differently. */
export function checkSamePreprocessing(a: Preprocessing, b: Preprocessing): void {
  if (a.lowercase !== b.lowercase || a.clean !== b.clean || a.tokenize !== b.tokenize)
    throw new LmkitError(
      `cannot mix models that prepare text differently (${JSON.stringify(a)} vs ${JSON.stringify(b)})`,
      { hint: 'train both with the same lowercasing, cleaning and punctuation splitting' },
    );
}

/** A prompt prepared as the model's training text was; a trailing space (the next word starts) is kept. */
export function preparePrompt(p: Preprocessing, prompt: string): string {
  const prepared = prepareText(p, prompt);
  return prepared && prepared !== prompt && /\s$/u.test(prompt) ? `${prepared} ` : prepared;
}
