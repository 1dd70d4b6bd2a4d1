/**
 * How a model wants its text prepared, read through one accessor: every model may carry a
 * `preprocessing` (an n-gram model records lowercasing, classic cleaning and punctuation splitting in its
 * file; a neural checkpoint's run records `--clean` in config.json). Evaluation text and prompts — in
 * `lmkit generate`, `eval`, `chat` and the server alike — go through the same preparation as the training
 * text did.
 */
import { prepareText, type Preprocessing } from '../data/clean.js';
import { LmkitError } from '../errors.js';
import type { LanguageModel } from '../lm.js';
import type { Tokenizer } from '../tokenizers/tokenizer.js';

/** Text used as given. */
const AS_GIVEN: Preprocessing = { lowercase: false, clean: false, tokenize: false };

/** The preparation `model`'s training text had (text as given when it records none). */
export function preprocessingOf(model: LanguageModel): Preprocessing {
  return model.preprocessing ?? AS_GIVEN;
}

/** The preparation a checkpoint's config.json records for its run (`training.clean`), or undefined. */
export function preprocessingFromRun(config: Record<string, unknown>): Preprocessing | undefined {
  const training = config.training;
  if (!training || typeof training !== 'object') return undefined;
  return { ...AS_GIVEN, clean: (training as Record<string, unknown>).clean === true };
}

/**
 * Prepares prompts and chat messages for `model`: its own preparation, plus punctuation split off words
 * when it reads words whose vocabulary has punctuation as tokens of its own (a pre-tokenized corpus such
 * as Brown); a trailing space (the next word starts) is kept.
 */
export function promptPreparer(model: LanguageModel): (prompt: string) => string {
  const base = preprocessingOf(model);
  const p = { ...base, tokenize: base.tokenize || splitsPunctuation(model.tokenizer) };
  return (prompt) => {
    const prepared = prepareText(p, prompt);
    return prepared && prepared !== prompt && /\s$/u.test(prompt) ? `${prepared} ` : prepared;
  };
}

/** Whether a word-level vocabulary holds punctuation as separate tokens. */
function splitsPunctuation(tokenizer: Tokenizer): boolean {
  return tokenizer.kind === 'word' && [',', '.'].some((p) => tokenizer.tokenToId(p) !== undefined);
}

/** Throws when two models to be mixed prepare text differently. */
export function checkSamePreprocessing(a: Preprocessing, b: Preprocessing): void {
  if (a.lowercase !== b.lowercase || a.clean !== b.clean || a.tokenize !== b.tokenize)
    throw new LmkitError(
      `cannot mix models that prepare text differently (${JSON.stringify(a)} vs ${JSON.stringify(b)})`,
      { hint: 'train both with the same lowercasing, cleaning and punctuation splitting' },
    );
}
