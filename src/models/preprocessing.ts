/**
 * How a model wants its text prepared, read through one accessor: every model may carry a
 * `preprocessing` (an n-gram model records lowercasing, classic cleaning and punctuation splitting in its
 * file and reads sentences; a neural checkpoint's run records `--clean` and `--sentences` in config.json).
 * Evaluation text and prompts — in `lmkit generate`, `eval`, `chat` and the server alike — go through the
 * same preparation as the training text did.
 */
import { prepareText, type Preprocessing } from '../data/clean.js';
import { splitRawText } from '../data/sentences.js';
import { LmkitError } from '../errors.js';
import type { LanguageModel } from '../lm.js';
import type { Tokenizer } from '../tokenizers/tokenizer.js';

/** Text used as given. */
const AS_GIVEN: Preprocessing = { lowercase: false, clean: false, tokenize: false, sentences: false };

/**
 * The preparation `model`'s training text had; when it records none, text as given — in sentences for a
 * model scored sentence by sentence (an NPLM's unit is the sentence), else as written (a GPT or RNN).
 */
export function preprocessingOf(model: LanguageModel): Preprocessing {
  return model.preprocessing ?? { ...AS_GIVEN, sentences: model.evalMode === 'sentences' };
}

/**
 * The preparation a checkpoint's config.json records for its run (`training.clean`, `training.sentences`),
 * or undefined when it records no run. Runs from before `sentences` was recorded read sentences when they
 * pretrained on text (lmkit re-flowed every text then) and conversations as given when they were SFT.
 */
export function preprocessingFromRun(config: Record<string, unknown>): Preprocessing | undefined {
  const training = config.training;
  if (!training || typeof training !== 'object') return undefined;
  const run = training as Record<string, unknown>;
  const sentences = typeof run.sentences === 'boolean' ? run.sentences : run.objective !== 'sft';
  return { ...AS_GIVEN, clean: run.clean === true, sentences };
}

/**
 * Prepares prompts and chat messages for `model`: its own preparation, plus punctuation split off words
 * when it reads words whose vocabulary has punctuation as tokens of its own (a pre-tokenized corpus such
 * as Brown). A model that read sentences gets the prompt re-flowed as its training text was, one sentence
 * a line — or, with `oneLine` (a chat template that gives each message one line), its sentences joined by
 * spaces. Trailing whitespace says where the continuation starts, so it is kept: a line break (a new
 * sentence) for a model of sentences, else a space (the next word).
 */
export function promptPreparer(
  model: LanguageModel,
  o: { oneLine?: boolean } = {},
): (prompt: string) => string {
  const base = preprocessingOf(model);
  const p = { ...base, tokenize: base.tokenize || splitsPunctuation(model.tokenizer) };
  const prepare = (text: string) => prepareText(p, text);
  // sentences are lines where the model reads line breaks (a word or n-gram model reads "\n" as a space)
  const lines = !o.oneLine && readsLineBreaks(model.tokenizer);
  const reflow = (text: string) =>
    splitRawText(text)
      .map(prepare)
      .filter((s) => s)
      .join(lines ? '\n' : ' ');
  return (prompt) => {
    const prepared = base.sentences ? reflow(prompt) : prepare(prompt);
    if (!prepared || prepared === prompt || !/\s$/u.test(prompt)) return prepared;
    return base.sentences && lines && /\n\s*$/u.test(prompt) ? `${prepared}\n` : `${prepared} `;
  };
}

/** Whether a tokenizer encodes a line break as a token of its own (character and byte-level ones do). */
function readsLineBreaks(tokenizer: Tokenizer): boolean {
  const ids = tokenizer.encode('\n');
  return ids.length > 0 && !ids.includes(tokenizer.special.unk ?? -1);
}

/** Whether a word-level vocabulary holds punctuation as separate tokens. */
function splitsPunctuation(tokenizer: Tokenizer): boolean {
  return tokenizer.kind === 'word' && [',', '.'].some((p) => tokenizer.tokenToId(p) !== undefined);
}

/** Throws when two models to be mixed prepare text differently. */
export function checkSamePreprocessing(a: Preprocessing, b: Preprocessing): void {
  if (
    a.lowercase !== b.lowercase ||
    a.clean !== b.clean ||
    a.tokenize !== b.tokenize ||
    a.sentences !== b.sentences
  )
    throw new LmkitError(
      `cannot mix models that prepare text differently (${JSON.stringify(a)} vs ${JSON.stringify(b)})`,
      {
        hint: 'train both with the same lowercasing, cleaning, punctuation splitting and --sentences (or text as written)',
      },
    );
}
