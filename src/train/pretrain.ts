/**
 * Pre-training a language model of any neural kind on text: sentences joined with "\n" become one token stream, split 90/10 (or a
 * separate validation file), a tokenizer (characters of the corpus, GPT-2's BPE, or a file), a fresh
 * model or a resumed checkpoint, then the training loop.
 */
import { loadSentences } from '../data/load.js';
import { LmkitError } from '../errors.js';
import { DEFAULT_KIND, modelKind, type NeuralModel } from '../models/kinds.js';
import { CharTokenizer } from '../tokenizers/char.js';
import { WordTokenizer } from '../tokenizers/word.js';
import { lineBreakToken } from '../tokenizers/line-break.js';
import { resolveTokenizer, type SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import { checkStream, splitStream } from './batches.js';
import { readTrainingCheckpoint, type RunInfo } from './checkpoint.js';
import { resolveTrainConfig, type TrainConfig } from './config.js';
import { trainLoop, type EvalRecord, type TrainSummary } from './loop.js';

/** What to train on and with. */
export interface PretrainOptions {
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
  /** char | word | gpt2 | a tokenizer file (default char; on resume: the checkpoint's). */
  tokenizer?: string;
  /** Settings from a config file and flags, in order of precedence (later wins). */
  settings: Partial<TrainConfig>[];
  out: string;
  /** A run directory to continue from. */
  resume?: string;
  signal?: AbortSignal;
  /** Called once the data is ready, before the first step. */
  onStart?(info: { run: RunInfo; trainTokens: number; validTokens: number; parameters: number }): void;
  onStep?(step: number, loss: number, tokensPerSecond: number): void;
  onEval?(record: EvalRecord): void;
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
  const text = await loadText(data, dataSplit, clean);
  let validText = valid === undefined ? undefined : await loadText(valid, undefined, clean);
  if (validText === undefined && dataSplit === 'train') validText = await validSplit(data, clean);

  const tokenizerName = saved ? saved.run.tokenizer : (o.tokenizer ?? 'char');
  if (o.tokenizer !== undefined && saved && o.tokenizer !== saved.run.tokenizer)
    throw new LmkitError(
      `cannot resume with another tokenizer (${o.tokenizer}; the run used ${saved.run.tokenizer})`,
    );
  const model: NeuralModel = saved
    ? kind.load(o.resume as string)
    : kind.create(config, await makeTokenizer(tokenizerName, [text], validText), config.seed);
  // a model over words (NPLM or GPT) sees each sentence end as a token (</s>, the NPLM's pad token):
  // whitespace splitting drops "\n", and this keeps the stream the one n-gram models score
  const sep = model.tokenizer.kind === 'word' ? lineBreakToken(model.tokenizer) : null;
  const tok = model.tokenizer;
  const encode = (t: string) =>
    Int32Array.from(
      sep === null ? tok.encode(t) : t.split('\n').flatMap((line) => [...tok.encode(line), sep]),
    );
  const all = encode(text);
  const split = validText === undefined ? splitStream(all) : { train: all, valid: encode(validText) };
  checkStream(split.train, config.block_size, 'training');
  checkStream(split.valid, config.block_size, 'validation');

  const run: RunInfo = {
    ...config,
    data,
    valid: valid ?? null,
    tokenizer: tokenizerName,
    ...(dataSplit === undefined ? {} : { split: dataSplit }),
    ...(clean ? { clean } : {}),
  };
  o.onStart?.({
    run,
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
    signal: o.signal,
    onStep: o.onStep,
    onEval: o.onEval,
  });
}

/** The sentences of a dataset or file (or of one split of it), cleaned if asked, as one text, a line each. */
async function loadText(source: string, split?: string, clean = false): Promise<string> {
  return (await loadSentences(source, { split, clean })).join('\n');
}

/** The valid split of a source whose split scheme has one (bengio), else undefined (the last 10% validates). */
async function validSplit(source: string, clean: boolean): Promise<string | undefined> {
  try {
    return await loadText(source, 'valid', clean);
  } catch (err) {
    if (err instanceof LmkitError) return undefined;
    throw err;
  }
}

/**
 * A character tokenizer over the texts and validation text (line break included), a word tokenizer over
 * the training texts (every word, `<unk>` for the rest), or a named/file tokenizer.
 */
async function makeTokenizer(name: string, texts: string[], validText?: string): Promise<SavableTokenizer> {
  if (name === 'char') return CharTokenizer.train([...texts, validText ?? '', '\n']);
  if (name === 'word') return WordTokenizer.train(texts, { minCount: 1 });
  return resolveTokenizer(name);
}
