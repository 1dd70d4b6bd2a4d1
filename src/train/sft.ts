/**
 * Supervised fine-tuning (SFT, as in InstructGPT's first stage and TRL's SFTTrainer): a pretrained GPT
 * checkpoint continues training on conversations, with loss on the assistant's tokens only. The
 * checkpoint's tokenizer gets the chat tokens when it lacks them (embedding rows grow to match); the
 * architecture stays the checkpoint's. The run is an ordinary training run (same loop, checkpoints,
 * metrics, resume), recorded with `objective: "sft"`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addChatTokens } from '../chat/chat-tokens.js';
import { chatTokenIds } from '../chat/template.js';
import { LmkitError } from '../errors.js';
import { CHECKPOINT_FILES, checkpointKind, readConfigJSON } from '../models/checkpoint.js';
import { learnsFromPairs } from './text-to-text.js';
import { GPTModel } from '../models/gpt.js';
import { modelKind } from '../models/kinds.js';
import { growGPTVocabulary } from '../models/gpt-vocab.js';
import { readTrainingCheckpoint, type RunInfo } from './checkpoint.js';
import { resolveTrainConfig, type TrainConfig } from './config.js';
import { trainLoop, type RunOptions, type TrainSummary } from './loop.js';
import {
  encodeSFT,
  lengthGroupedBatch,
  randomSFTBatch,
  readSFTFile,
  sortByLength,
  splitSFT,
  type EncodedSet,
} from './sft-data.js';

/** SFT's defaults, under the flags: a gentler learning rate and a shorter run than pretraining. */
export const SFT_DEFAULTS: Partial<TrainConfig> = {
  learning_rate: 3e-4,
  min_lr: 3e-5,
  max_iters: 500,
  warmup_iters: 20,
  batch_size: 8,
  eval_interval: 100,
  eval_iters: 10,
};

/** What to fine-tune, on what. */
export interface SFTOptions extends RunOptions {
  /** The pretrained GPT checkpoint folder (not needed on resume). */
  init?: string;
  /** A JSONL file of conversations (default on resume: the run's own). */
  data?: string;
  /** A JSONL file that validates (default: every 10th example of `data`). */
  valid?: string;
}

/** Whether `dir` holds a checkpoint of an SFT run (so --resume continues it as SFT). */
export function isSFTRun(dir: string): boolean {
  const path = join(dir, CHECKPOINT_FILES.config);
  if (!existsSync(path)) return false;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { training?: RunInfo }).training?.objective === 'sft';
  } catch {
    return false;
  }
}

/** Fine-tunes (or resumes fine-tuning) a GPT on conversations and returns the run's summary. */
export async function trainSFT(o: SFTOptions): Promise<TrainSummary> {
  const saved = o.resume === undefined ? undefined : readTrainingCheckpoint(o.resume);
  if (saved && saved.run.objective !== 'sft')
    throw new LmkitError(`${o.resume} is a pretraining run, not an SFT run`, {
      hint: 'start SFT from it with --init instead of --resume',
    });
  const init = saved?.run.init ?? o.init;
  if (init === undefined)
    throw new LmkitError('SFT starts from a pretrained model: give --init CHECKPOINT_DIR', {
      hint: "train one with 'lmkit train --model gpt', then pass its --out folder (or its best/)",
    });
  if (!saved) refuseTextToText(init);
  let model: GPTModel;
  let added = 0;
  if (saved) model = GPTModel.load(o.resume as string);
  else {
    const base = GPTModel.load(init);
    const grown = addChatTokens(base.tokenizer);
    added = grown.added;
    model = added ? growGPTVocabulary(base, grown.tokenizer, grown.oldToNew) : base;
  }
  const arch: Partial<TrainConfig> = {
    n_layer: model.config.n_layer,
    n_head: model.config.n_head,
    n_embd: model.config.n_embd,
    block_size: model.config.block_size,
    bias: model.config.bias,
    dropout: model.config.dropout,
    rope: model.config.rope,
    norm: model.config.norm,
  };
  const kept = [...modelKind(model.kind).architectureKeys, 'dropout'];
  for (const layer of o.settings)
    for (const k of kept)
      if (layer[k] !== undefined && layer[k] !== arch[k])
        throw new LmkitError(
          `SFT keeps the architecture of ${init}: ${k} is ${String(arch[k])} there, not ${String(layer[k])}`,
          { hint: `drop --${k}` },
        );
  const config = resolveTrainConfig(saved ? saved.run : SFT_DEFAULTS, ...o.settings, arch);

  const data = o.data ?? saved?.run.data;
  if (data === undefined) throw new LmkitError('no SFT data given: --data FILE.jsonl');
  const valid = o.valid ?? saved?.run.valid ?? undefined;
  const all = readSFTFile(data);
  const parts = valid === undefined ? splitSFT(all) : { train: all, valid: readSFTFile(valid) };
  const ids = chatTokenIds(model.tokenizer)!;
  const encode = (name: string, examples: typeof all): EncodedSet => {
    const set = encodeSFT(model.tokenizer, model.prefix, examples, config.block_size);
    if (!set.examples.length)
      throw new LmkitError(
        `all ${examples.length} ${name} examples are longer than block_size + 1 = ${config.block_size + 1} tokens`,
        { hint: 'use shorter conversations, or a model with a larger block_size' },
      );
    return set;
  };
  const train = encode('training', parts.train);
  const validSet = encode('validation', parts.valid);
  const padId = ids.end;
  const sorted = config.group_by_length ? sortByLength(train.examples) : undefined;
  const positions = (s: EncodedSet) => s.examples.reduce((n, e) => n + e.x.length, 0);

  const baseRun = saved?.run.tokenizer ?? `${initTokenizerName(init)}+chat`;
  const run: RunInfo = {
    ...config,
    data,
    valid: valid ?? null,
    tokenizer: baseRun,
    sentences: false, // conversations as given
    objective: 'sft',
    init,
  };
  o.onStart?.({
    run,
    trainTokens: positions(train),
    validTokens: positions(validSet),
    parameters: model.net.parameterCount(),
    note:
      `SFT on ${train.examples.length} conversations (${train.targets} assistant tokens carry loss), ` +
      `validating on ${validSet.examples.length}` +
      (valid === undefined ? ' (every 10th example)' : ` from ${valid}`) +
      `; dropped as longer than block_size + 1 = ${config.block_size + 1} tokens: ${train.dropped} training, ${validSet.dropped} validation` +
      (added ? `; added ${added} chat tokens to the tokenizer (${model.config.vocab_size} tokens now)` : ''),
  });
  return trainLoop({
    model: {
      net: model.net,
      targetsPerWindow: Math.round(positions(train) / train.examples.length),
      save: (dir, extra, metadata) => model.save(dir, extra, metadata),
    },
    run,
    train: new Int32Array(0),
    valid: new Int32Array(0),
    batch: (split, rng) =>
      split === 'train' && sorted
        ? lengthGroupedBatch(sorted, config.batch_size, padId, rng)
        : randomSFTBatch((split === 'train' ? train : validSet).examples, config.batch_size, padId, rng),
    out: o.out,
    resume: saved,
    signal: o.signal,
    maxSeconds: o.maxSeconds,
    onStep: o.onStep,
    onEval: o.onEval,
  });
}

/** The tokenizer name a checkpoint's run recorded (char, gpt2, a file), or "checkpoint". */
function initTokenizerName(dir: string): string {
  try {
    const json = JSON.parse(readFileSync(join(dir, CHECKPOINT_FILES.config), 'utf8')) as {
      training?: RunInfo;
    };
    return json.training?.tokenizer ?? 'checkpoint';
  } catch {
    return 'checkpoint';
  }
}

/** An encoder–decoder checkpoint given to SFT: an error saying what fine-tunes it instead. */
function refuseTextToText(init: string): void {
  const kind = existsSync(join(init, CHECKPOINT_FILES.config)) ? checkpointKind(readConfigJSON(init)) : null;
  if (kind !== null && learnsFromPairs(kind))
    throw new LmkitError(
      `${init} is ${modelKind(kind).label({})}, an encoder–decoder: SFT fine-tunes a GPT on conversations`,
      {
        hint: `fine-tune it text to text on JSONL of {"input", "target"} (or {"prompt", "completion"}) pairs: lmkit train --init ${init} --data tasks.jsonl --out DIR`,
      },
    );
}
