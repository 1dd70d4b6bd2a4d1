/**
 * Pre-training a language model of any neural kind on text: the text as written (or re-flowed into one
 * sentence per line, see textPreparation) becomes one token stream, split 90/10 (or a separate
 * validation file), a tokenizer (characters of the corpus, GPT-2's BPE, or a file), a fresh model or a
 * resumed checkpoint, then the training loop.
 */
import { loadSentences } from '../data/load.js';
import { hasWrittenForm, loadText } from '../data/text.js';
import { LmkitError } from '../errors.js';
import { DEFAULT_KIND, modelKind, type ModelKind, type NeuralModel } from '../models/kinds.js';
import { CharTokenizer } from '../tokenizers/char.js';
import { WordTokenizer } from '../tokenizers/word.js';
import { encodeStream } from '../tokenizers/line-break.js';
import { resolveTokenizer, type SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import { checkStream, splitStream } from './batches.js';
import { readTrainingCheckpoint, type RunInfo } from './checkpoint.js';
import { resolveTrainConfig, type TrainConfig } from './config.js';
import type { Rng } from '../util/rng.js';
import { trainLoop, type RunOptions, type TrainSummary } from './loop.js';

/** What to train on and with. */
export interface PretrainOptions extends RunOptions {
  /** Dataset name or text file (default on resume: the run's own). */
  data?: string;
  /** Train on this split of the data (train | valid | test | all); with `train` the data's valid split validates. */
  split?: string;
  /** A validation text file (default: the data's valid split with --split train, else the last 10%). */
  valid?: string;
  /** The model kind (models/kinds.ts; default gpt); on resume: the checkpoint's. */
  model?: string;
  /** The classic cleaning (lowercase, letters only, words of 3+ letters); on resume: the run's. */
  clean?: boolean;
  /** Re-flow the text into one sentence per line, or read it as written (false); default: see textPreparation. */
  sentences?: boolean;
  /** char | word | gpt2 | a tokenizer file (default char; on resume: the checkpoint's). */
  tokenizer?: string;
}

/** Trains (or resumes) a language model of any neural kind on text and returns the run's summary. */
export async function pretrain(o: PretrainOptions): Promise<TrainSummary> {
  const saved = o.resume === undefined ? undefined : readTrainingCheckpoint(o.resume);
  // the kind asked for: --model, else a config file's "model"
  const asked = o.model ?? o.settings.reduce<TrainConfig['model']>((m, l) => l.model ?? m, undefined);
  const name = saved ? (saved.run.model ?? DEFAULT_KIND) : (asked ?? DEFAULT_KIND);
  if (saved && asked !== undefined && asked !== name)
    throw new LmkitError(`cannot resume a ${name} run as --model ${asked}`);
  const kind = modelKind(name);
  const config = resolveTrainConfig(
    ...(saved ? [saved.run] : []),
    ...o.settings,
    name === DEFAULT_KIND ? {} : { model: name },
  );
  if (saved) {
    for (const k of kind.architectureKeys)
      if (config[k] !== saved.run[k])
        throw new LmkitError(
          `cannot resume with a changed architecture: ${k} is ${String(saved.run[k])} in ${o.resume}, ${String(config[k])} now`,
        );
  }
  const data = o.data ?? saved?.run.data;
  if (data === undefined) throw new LmkitError('no training data given');
  const valid = o.valid ?? saved?.run.valid ?? undefined;
  const dataSplit = o.split ?? saved?.run.split;
  const clean = o.clean ?? saved?.run.clean ?? false;

  const tokenizerName = saved ? saved.run.tokenizer : (o.tokenizer ?? 'char');
  if (o.tokenizer !== undefined && saved && o.tokenizer !== saved.run.tokenizer)
    throw new LmkitError(
      `cannot resume with another tokenizer (${o.tokenizer}; the run used ${saved.run.tokenizer})`,
    );
  // a named or file tokenizer does not depend on the text: read it first (a word-level one reads sentences)
  const learned = tokenizerName === 'char' || tokenizerName === 'word';
  const fixed = saved || learned ? undefined : await resolveTokenizer(tokenizerName);
  const wordLevel = tokenizerName === 'word' || fixed?.kind === 'word';
  const prep = textPreparation(o.sentences, saved?.run, kind, data, wordLevel, clean);
  const load = (source: string, split?: string) =>
    prep.sentences
      ? loadSentences(source, { split, clean }).then((s) => s.join('\n'))
      : loadText(source, { split, clean });
  const text = await load(data, dataSplit);
  let validText = valid === undefined ? undefined : await load(valid);
  if (validText === undefined && dataSplit === 'train') validText = await validSplit(data, clean);

  const model: NeuralModel = saved
    ? kind.load(o.resume as string)
    : kind.create(
        config,
        fixed ?? makeTokenizer(tokenizerName as 'char' | 'word', [text], validText),
        config.seed,
      );
  const all = encodeStream(model.tokenizer, text);
  const split =
    validText === undefined
      ? splitStream(all)
      : { train: all, valid: encodeStream(model.tokenizer, validText) };
  checkStream(split.train, config.block_size, 'training');
  checkStream(split.valid, config.block_size, 'validation');

  const run: RunInfo = {
    ...config,
    data,
    valid: valid ?? null,
    tokenizer: tokenizerName,
    ...(dataSplit === undefined ? {} : { split: dataSplit }),
    ...(clean ? { clean } : {}),
    sentences: prep.sentences,
  };
  o.onStart?.({
    run,
    note: `text: ${prep.description}`,
    trainTokens: split.train.length,
    validTokens: split.valid.length,
    parameters: model.net.parameterCount(),
  });
  return trainLoop({
    model,
    run,
    train: split.train,
    valid: split.valid,
    out: o.out,
    resume: saved,
    ...(model.trainingBatch
      ? {
          batch: (part: 'train' | 'valid', rng: Rng) =>
            model.trainingBatch!(split[part], config.batch_size, config.block_size, rng),
        }
      : {}),
    signal: o.signal,
    maxSeconds: o.maxSeconds,
    onStep: o.onStep,
    onEval: o.onEval,
  });
}

/**
 * Whether the run reads sentences or the text as written, and the line that says so: on resume, the
 * run's (runs from before this was recorded read sentences); else `--sentences`/`--no-sentences`; else
 * sentences for a dataset that is a sentence list by nature (Brown), a kind whose unit is the sentence
 * (NPLM) or a word tokenizer (which drops line breaks, so a line break can only be a sentence's `</s>`),
 * and the text as written for the rest (a GPT or RNN on characters or bytes, as nanoGPT and llm.c).
 */
function textPreparation(
  asked: boolean | undefined,
  saved: RunInfo | undefined,
  kind: ModelKind,
  data: string,
  wordLevel: boolean,
  clean: boolean,
): { sentences: boolean; description: string } {
  if (saved && asked !== undefined && asked !== (saved.sentences ?? true))
    throw new LmkitError(
      `cannot resume with ${asked ? '--sentences' : '--no-sentences'}: the run read ${saved.sentences === false ? 'its text as written' : 'sentences'}`,
      { hint: `drop --${asked ? '' : 'no-'}sentences` },
    );
  const cleaning = clean
    ? '; then each line cleaned (--clean): lowercase, letters only, words of 3+ letters'
    : '';
  let sentences: boolean;
  let why: string;
  if (saved) {
    sentences = saved.sentences ?? true;
    why = 'as the run was';
  } else if (asked !== undefined) {
    sentences = asked;
    why = asked ? '--sentences' : '--no-sentences';
  } else if (!hasWrittenForm(data)) {
    return {
      sentences: true,
      description: `${data}'s sentences, one a line (the corpus's own form)${cleaning}`,
    };
  } else {
    sentences = kind.sentences || wordLevel;
    why = kind.sentences
      ? `as ${kind.label({})} reads; --no-sentences: as written`
      : wordLevel
        ? 'as a word tokenizer reads, ending each in </s>; --no-sentences: as written'
        : '--sentences re-flows it into one sentence per line';
  }
  return {
    sentences,
    description:
      (sentences
        ? `re-flowed into one sentence per line (${why}): wrapped lines joined, blank lines and repeated spaces dropped`
        : `as written: line breaks, blank lines and spacing kept (${why})`) + cleaning,
  };
}

/** The valid split of a source whose split scheme has one (bengio), else undefined (the last 10% validates). */
async function validSplit(source: string, clean: boolean): Promise<string | undefined> {
  try {
    return (await loadSentences(source, { split: 'valid', clean })).join('\n');
  } catch (err) {
    if (err instanceof LmkitError) return undefined;
    throw err;
  }
}

/**
 * A character tokenizer over the texts and validation text (line break included), or a word tokenizer
 * over the training texts (every word, `<unk>` for the rest).
 */
function makeTokenizer(name: 'char' | 'word', texts: string[], validText?: string): SavableTokenizer {
  if (name === 'char') return CharTokenizer.train([...texts, validText ?? '', '\n']);
  return WordTokenizer.train(texts, { minCount: 1 });
}
