/**
 * Pre-training a GPT on text: sentences joined with "\n" become one token stream, split 90/10 (or a
 * separate validation file), a tokenizer (characters of the corpus, GPT-2's BPE, or a file), a fresh
 * model or a resumed checkpoint, then the training loop.
 */
import { loadSentences } from '../data/load.js';
import { LmkitError } from '../errors.js';
import { GPTModel } from '../models/gpt.js';
import { CharTokenizer } from '../tokenizers/char.js';
import { resolveTokenizer, type SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import { checkStream, splitStream } from './batches.js';
import { readCheckpoint, type RunInfo } from './checkpoint.js';
import { ARCHITECTURE_KEYS, resolveTrainConfig, type TrainConfig } from './config.js';
import { trainLoop, type EvalRecord, type TrainSummary } from './loop.js';

/** What to train on and with. */
export interface PretrainOptions {
  /** Dataset name or text file (default on resume: the run's own). */
  data?: string;
  /** A validation text file (default: the last 10% of the data). */
  valid?: string;
  /** char | gpt2 | a tokenizer file (default char; on resume: the checkpoint's). */
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

/** Trains (or resumes) a GPT and returns the run's summary. */
export async function pretrainGPT(o: PretrainOptions): Promise<TrainSummary> {
  const saved = o.resume === undefined ? undefined : readCheckpoint(o.resume);
  const config = resolveTrainConfig(...(saved ? [saved.run] : []), ...o.settings);
  if (saved) {
    for (const k of ARCHITECTURE_KEYS)
      if (config[k] !== saved.run[k])
        throw new LmkitError(
          `cannot resume with a changed architecture: ${k} is ${saved.run[k]} in ${o.resume}, ${config[k]} now`,
        );
  }
  const data = o.data ?? saved?.run.data;
  if (data === undefined) throw new LmkitError('no training data given');
  const valid = o.valid ?? saved?.run.valid ?? undefined;
  const text = await loadText(data);
  const validText = valid === undefined ? undefined : await loadText(valid);

  const tokenizerName = saved ? saved.run.tokenizer : (o.tokenizer ?? 'char');
  if (o.tokenizer !== undefined && saved && o.tokenizer !== saved.run.tokenizer)
    throw new LmkitError(
      `cannot resume with another tokenizer (${o.tokenizer}; the run used ${saved.run.tokenizer})`,
    );
  let model: GPTModel;
  if (saved) model = GPTModel.load(o.resume as string);
  else {
    const tokenizer = await makeTokenizer(tokenizerName, [text, validText ?? '']);
    model = new GPTModel({ ...config, vocab_size: tokenizer.vocabSize }, tokenizer, config.seed);
  }
  const encode = (t: string) => Int32Array.from(model.tokenizer.encode(t));
  const all = encode(text);
  const split = validText === undefined ? splitStream(all) : { train: all, valid: encode(validText) };
  checkStream(split.train, config.block_size, 'training');
  checkStream(split.valid, config.block_size, 'validation');

  const run: RunInfo = { ...config, data, valid: valid ?? null, tokenizer: tokenizerName };
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

/** The sentences of a dataset or file as one text, a line each. */
async function loadText(source: string): Promise<string> {
  return (await loadSentences(source)).join('\n');
}

/** A character tokenizer over the texts (line break included), or a named/file tokenizer. */
async function makeTokenizer(name: string, texts: string[]): Promise<SavableTokenizer> {
  if (name === 'char') return CharTokenizer.train([...texts, '\n']);
  return resolveTokenizer(name);
}
