/**
 * Reward-model training (InstructGPT's second stage, TRL's RewardTrainer): a GPT checkpoint (pretrained or
 * SFT) gets a scalar head read at the last token of prompt + response, rendered under its chat template,
 * and learns rankings with the pairwise loss (preference-losses.ts), every pair of one ranking in one batch
 * element. Each evaluation scores the whole held-out set: `valid_loss` and `valid_accuracy` (the fraction
 * of held-out pairs ranked right; a ranking counts as its pairs). After training the reward is normalised
 * as InstructGPT did: the offset that makes the mean reward of the SFT demonstrations 0 is stored in the
 * checkpoint (of best/ and of the latest). The run is an ordinary training run (same loop, checkpoints,
 * metrics, resume), recorded with `objective: "reward"`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LmkitError } from '../errors.js';
import { CHECKPOINT_FILES, readConfigJSON } from '../models/checkpoint.js';
import { GPTModel } from '../models/gpt.js';
import { modelKind } from '../models/kinds.js';
import { padSequences, RewardModel } from '../models/reward.js';
import { noGrad, tidy } from '../tensor/tensor.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { Rng } from '../util/rng.js';
import { readTrainingCheckpoint, type RunInfo } from './checkpoint.js';
import { resolveTrainConfig, type TrainConfig } from './config.js';
import { trainLoop, type RunOptions, type TrainSummary } from './loop.js';
import {
  encodePreferences,
  noRankingsError,
  encodePrompt,
  readPreferenceFile,
  type EncodedPreference,
  type PreferenceExample,
} from './preference-data.js';
import { pairBatch, pairwiseRankingLoss } from './preference-losses.js';
import { readSFTFile, splitSFT } from './sft-data.js';

/** Reward-model defaults under the flags: a short run at a gentle learning rate, rankings per batch. */
export const REWARD_DEFAULTS: Partial<TrainConfig> = {
  learning_rate: 1e-4,
  min_lr: 1e-5,
  max_iters: 300,
  warmup_iters: 10,
  batch_size: 8,
  eval_interval: 50,
  eval_iters: 10,
};

/** Demonstrations scored to find the reward offset, at most. */
const MAX_DEMOS = 2000;

/** What to train a reward model from, on what. */
export interface RewardOptions extends RunOptions {
  /** The GPT checkpoint the trunk comes from (not needed on resume). */
  init?: string;
  /** A JSONL file of pairs or rankings (default on resume: the run's own). */
  data?: string;
  /** A JSONL file of pairs or rankings that validates (default: every 10th ranking of `data`). */
  valid?: string;
  /** SFT conversations whose mean reward becomes 0 (default: the --init SFT run's data). */
  demos?: string;
}

/** A reward-model run's summary: the loop's, the last held-out accuracy and the stored offset. */
export interface RewardSummary extends TrainSummary {
  validAccuracy: number;
  bestValidAccuracy: number;
  /** The offset subtracted from best/'s rewards, and how many demonstrations set it. */
  offset: number;
  demos: number;
  demosFrom: string;
}

/** Trains (or resumes training) a reward model on rankings and returns the run's summary. */
export async function trainReward(o: RewardOptions): Promise<RewardSummary> {
  const saved = o.resume === undefined ? undefined : readTrainingCheckpoint(o.resume);
  if (saved && saved.run.objective !== 'reward')
    throw new LmkitError(`${o.resume} is not a reward-model run`, {
      hint: 'start a reward model from it with --init instead of --resume',
    });
  const init = saved?.run.init ?? o.init;
  if (init === undefined)
    throw new LmkitError('a reward model starts from a GPT checkpoint: give --init DIR', {
      hint: "an SFT run's folder (lmkit train --objective sft), or any GPT checkpoint",
    });
  const model = saved ? RewardModel.load(o.resume as string) : new RewardModel(GPTModel.load(init), 1);
  const config = resolveTrainConfig(
    saved ? saved.run : REWARD_DEFAULTS,
    ...keepArchitecture(o.settings, model, init),
  );
  const center = numberSetting(config, 'center_rewards_coefficient', 0);

  const data = o.data ?? saved?.run.data;
  if (data === undefined) throw new LmkitError('no preference data given: --data FILE.jsonl');
  const valid = o.valid ?? saved?.run.valid ?? undefined;
  const all = readPreferenceFile(data);
  const parts = valid === undefined ? splitSFT(all) : { train: all, valid: readPreferenceFile(valid) };
  const encode = (examples: PreferenceExample[], name: string, what: string) => {
    const set = encodePreferences(model.tokenizer, model.prefix, examples, config.block_size, name);
    if (!set.examples.length) throw noRankingsError(examples.length, what, name, config.block_size);
    const margins = new Map(examples.map((e) => [e.line, marginOf(e, name)]));
    return { ...set, examples: set.examples.map((e) => ({ ...e, margin: margins.get(e.line) ?? 0 })) };
  };
  const train = encode(parts.train, data, 'training');
  const validSet = encode(parts.valid, valid ?? data, 'validation');
  const tokens = (s: EncodedPreference[]) =>
    s.reduce((n, e) => n + e.responses.reduce((m, r) => m + r.ids.length, 0), 0);
  const pairs = (s: EncodedPreference[]) => s.reduce((n, e) => n + e.pairs.length, 0);

  const run: RunInfo = {
    ...config,
    data,
    valid: valid ?? null,
    tokenizer: saved?.run.tokenizer ?? recordedTokenizer(init),
    objective: 'reward',
    init,
  };
  o.onStart?.({
    run,
    trainTokens: tokens(train.examples),
    validTokens: tokens(validSet.examples),
    parameters: model.net.parameterCount(),
    note:
      `reward model on ${train.examples.length} rankings (${pairs(train.examples)} pairs), validating on ` +
      `${validSet.examples.length} (${pairs(validSet.examples)} pairs)` +
      (valid === undefined ? ' (every 10th ranking)' : ` from ${valid}`) +
      `; dropped as longer than block_size ${config.block_size}: ${train.droppedResponses + validSet.droppedResponses} responses, ` +
      `${train.droppedRankings + validSet.droppedRankings} rankings left with no pair`,
  });

  /** The loss (and pairs ranked right) of some rankings; gradients flow unless called under noGrad. */
  const lossOf = (rankings: (EncodedPreference & { margin: number })[]) => {
    const sequences = rankings.flatMap((r) => r.responses.map((x) => x.ids));
    const offsets: number[] = [];
    rankings.reduce((n, r) => (offsets.push(n), n + r.responses.length), 0);
    const { ids, rows } = padSequences(sequences, config.block_size, model.config.vocab_size);
    const { loss, differences } = pairwiseRankingLoss(
      model.net.forward(ids, rows),
      pairBatch(rankings, offsets),
      center,
    );
    return { loss, right: differences.filter((d) => d > 0).length, pairs: differences.length };
  };
  /** Mean loss over rankings and accuracy over pairs of a whole set, in batches, without gradients. */
  const score = (set: (EncodedPreference & { margin: number })[]) => {
    let loss = 0;
    let right = 0;
    let count = 0;
    for (let i = 0; i < set.length; i += config.batch_size) {
      const chunk = set.slice(i, i + config.batch_size);
      const r = noGrad(() =>
        tidy(() => {
          const x = lossOf(chunk);
          return { loss: x.loss.item(), right: x.right, pairs: x.pairs };
        }),
      );
      loss += r.loss * chunk.length;
      right += r.right;
      count += r.pairs;
    }
    return { loss: loss / set.length, accuracy: right / count };
  };
  // a fixed sample of training rankings, as large as the held-out set, for the training loss
  const trainSample = sample(
    train.examples,
    Math.max(validSet.examples.length, config.batch_size),
    config.seed + 1,
  );
  let validAccuracy = NaN;
  let bestValidAccuracy = NaN;
  let bestValLoss = Infinity;

  const summary = await trainLoop({
    model: {
      net: model.net,
      targetsPerWindow: Math.round(tokens(train.examples) / train.examples.length),
      save: (dir, extra, metadata) => model.save(dir, extra, metadata),
    },
    run,
    train: new Int32Array(0),
    valid: new Int32Array(0),
    objective: (split, rng) => {
      const set = (split === 'train' ? train : validSet).examples;
      const picked = Array.from({ length: config.batch_size }, () => set[rng.int(set.length)]);
      const { loss, right, pairs: n } = lossOf(picked);
      return { loss, metrics: { accuracy: right / n } };
    },
    evaluate: () => {
      const v = score(validSet.examples);
      const t = score(trainSample);
      validAccuracy = v.accuracy;
      if (v.loss < bestValLoss) {
        bestValLoss = v.loss;
        bestValidAccuracy = v.accuracy;
      }
      return {
        trainLoss: t.loss,
        valLoss: v.loss,
        metrics: { valid_loss: v.loss, valid_accuracy: v.accuracy, train_accuracy: t.accuracy },
      };
    },
    out: o.out,
    resume: saved,
    signal: o.signal,
    maxSeconds: o.maxSeconds,
    onStep: o.onStep,
    onEval: o.onEval,
  });

  const demos = demonstrations(o.demos, init, parts.train);
  let offset = 0;
  for (const dir of [summary.best, summary.out]) {
    if (!existsSync(join(dir, CHECKPOINT_FILES.config))) continue;
    const rm = RewardModel.load(dir);
    rm.offset = 0;
    const encoded = demos.items
      .map((d) => [
        ...encodePrompt(rm.tokenizer, rm.prefix, d.prompt).ids,
        ...rm.tokenizer.encode(d.response),
        ...endOfTurn(rm),
      ])
      .filter((ids) => ids.length <= config.block_size);
    if (!encoded.length)
      throw new LmkitError(`no demonstration from ${demos.from} fits block_size ${config.block_size}`);
    const r = rm.score(encoded);
    const mean = r.reduce((s, x) => s + x, 0) / r.length;
    if (dir === summary.best) offset = mean;
    setConfigKeys(dir, {
      reward_offset: mean,
      reward_offset_from: { data: demos.from, demonstrations: encoded.length },
    });
  }
  return {
    ...summary,
    validAccuracy,
    bestValidAccuracy: Number.isNaN(bestValidAccuracy) ? validAccuracy : bestValidAccuracy,
    offset,
    demos: demos.items.length,
    demosFrom: demos.from,
  };
}

function endOfTurn(rm: RewardModel): number[] {
  const end = encodePrompt(rm.tokenizer, [], []).endOfTurn;
  return end === undefined ? [] : [end];
}

/**
 * The SFT demonstrations whose mean reward is set to 0: each conversation's last assistant turn after the
 * turns before it, from `demos`, else the --init SFT run's data, else the best response of each training ranking.
 */
function demonstrations(
  demos: string | undefined,
  init: string,
  train: readonly PreferenceExample[],
): { from: string; items: { prompt: PreferenceExample['prompt']; response: string }[] } {
  const sft = demos ?? sftData(init);
  if (sft !== undefined) {
    const items = readSFTFile(sft).flatMap(({ messages }) => {
      const last = messages.map((m) => m.role).lastIndexOf('assistant');
      const prompt = messages.slice(0, last);
      return prompt.length && prompt[prompt.length - 1].role === 'user'
        ? [{ prompt, response: messages[last].content }]
        : [];
    });
    if (items.length) return { from: sft, items: sample(items, MAX_DEMOS, 7) };
  }
  return {
    from: 'the best response of each training ranking',
    items: sample(train, MAX_DEMOS, 7).map((e) => ({
      prompt: e.prompt,
      response: e.responses[e.ranking[0][0]],
    })),
  };
}

/** The SFT data an SFT run recorded, when `dir` is one and the file is still there. */
function sftData(dir: string): string | undefined {
  try {
    const training = readConfigJSON(dir).training as RunInfo | undefined;
    return training?.objective === 'sft' && existsSync(training.data) ? training.data : undefined;
  } catch {
    return undefined;
  }
}

/** Settings layers with the checkpoint's architecture last; a layer asking for another one is an error. */
export function keepArchitecture(
  settings: readonly Partial<TrainConfig>[],
  model: { config: GPTModel['config'] },
  init: string,
): Partial<TrainConfig>[] {
  const c = model.config;
  const arch: Partial<TrainConfig> = {
    n_layer: c.n_layer,
    n_head: c.n_head,
    n_embd: c.n_embd,
    block_size: c.block_size,
    bias: c.bias,
    dropout: c.dropout,
    rope: c.rope,
    norm: c.norm,
  };
  const kept = [...modelKind('gpt').architectureKeys, 'dropout'];
  for (const layer of settings)
    for (const k of kept)
      if (layer[k] !== undefined && layer[k] !== arch[k])
        throw new LmkitError(
          `the run keeps the architecture of ${init}: ${k} is ${String(arch[k])} there, not ${String(layer[k])}`,
          { hint: `drop --${k}` },
        );
  return [...settings, arch];
}

/** A number setting of the run (default when absent), checked to be ≥ 0. */
export function numberSetting(config: TrainConfig, key: string, fallback: number): number {
  const v = config[key] ?? fallback;
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v))
    throw new LmkitError(`${key} must be a number ≥ 0 (got ${JSON.stringify(v)})`);
  return v;
}

/** A record's margin (TRL's `margin` column), 0 when absent. */
function marginOf(e: PreferenceExample, name: string): number {
  const m = e.meta.margin;
  if (m === undefined) return 0;
  if (typeof m !== 'number' || !Number.isFinite(m))
    throw new LmkitError(`${name} line ${e.line}: "margin" must be a number (got ${JSON.stringify(m)})`);
  return m;
}

/** Up to `n` items drawn without replacement by a seeded shuffle, in their original order. */
export function sample<T>(items: readonly T[], n: number, seed: number): T[] {
  if (items.length <= n) return [...items];
  const rng = new Rng(seed);
  const idx = [...items.keys()];
  for (let i = idx.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => items[i]);
}

/** The tokenizer name a checkpoint's run recorded (char, gpt2, a file), or "checkpoint". */
export function recordedTokenizer(dir: string): string {
  try {
    const training = (
      JSON.parse(readFileSync(join(dir, CHECKPOINT_FILES.config), 'utf8')) as { training?: RunInfo }
    ).training;
    return training?.tokenizer ?? 'checkpoint';
  } catch {
    return 'checkpoint';
  }
}

/** Adds keys to a checkpoint folder's config.json, atomically. */
function setConfigKeys(dir: string, keys: Record<string, unknown>): void {
  const json = readConfigJSON(dir);
  writeFileAtomic(join(dir, CHECKPOINT_FILES.config), [JSON.stringify({ ...json, ...keys }, null, 2) + '\n']);
}
