/**
 * Direct preference optimisation (Rafailov et al. 2023; TRL's DPOTrainer, sigmoid loss): the policy, a
 * GPT checkpoint (normally an SFT run), learns rankings directly, with the implicit reward
 * β (log π(y|x) − log π_ref(y|x)) in the pairwise loss, −log σ(β [(log π(y_w) − log π_ref(y_w)) −
 * (log π(y_l) − log π_ref(y_l))]). The reference π_ref is the frozen --init model; log-probabilities are
 * summed over the response's tokens only (its `<|end|>` included), and the reference's are computed once.
 * A K-wise ranking gives its C(K,2) pairs, weighted 1/C(K,2) as in the reward model. Each evaluation
 * reports on the whole held-out set what TRL reports: accuracy (implicit reward of the better response
 * higher), the mean implicit rewards of better and worse responses, and their margin.
 */
import { LmkitError } from '../errors.js';
import { GPTModel } from '../models/gpt.js';
import { sub, affine } from '../tensor/ops/elementwise.js';
import { noGrad, Tensor, tidy } from '../tensor/tensor.js';
import { readTrainingCheckpoint, type RunInfo } from './checkpoint.js';
import { resolveTrainConfig, type TrainConfig } from './config.js';
import { trainLoop, type RunOptions, type TrainSummary } from './loop.js';
import {
  encodePreferences,
  noRankingsError,
  readPreferenceFile,
  type EncodedPreference,
  type PreferenceExample,
} from './preference-data.js';
import { pairBatch, pairwiseRankingLoss, responseLogProbs } from './preference-losses.js';
import { keepArchitecture, numberSetting, recordedTokenizer, sample } from './reward.js';
import { splitSFT } from './sft-data.js';

/** DPO's defaults under the flags: TRL's β 0.1 and a gentle learning rate. */
export const DPO_DEFAULTS: Partial<TrainConfig> = {
  learning_rate: 5e-5,
  min_lr: 5e-6,
  max_iters: 300,
  warmup_iters: 10,
  batch_size: 8,
  eval_interval: 50,
  eval_iters: 10,
  beta: 0.1,
};

/** What to optimise, on what. */
export interface DPOOptions extends RunOptions {
  /** The policy's starting checkpoint, also the frozen reference (not needed on resume). */
  init?: string;
  data?: string;
  valid?: string;
}

/** A DPO run's summary: the loop's and the last evaluation's figures. */
export interface DPOSummary extends TrainSummary {
  metrics: Record<string, number>;
}

/** A ranking with each response's reference log-probability. */
type Ranked = EncodedPreference & { refLogProbs: Float64Array };

/** Optimises (or resumes optimising) a policy on rankings by DPO and returns the run's summary. */
export async function trainDPO(o: DPOOptions): Promise<DPOSummary> {
  const saved = o.resume === undefined ? undefined : readTrainingCheckpoint(o.resume);
  if (saved && saved.run.objective !== 'dpo')
    throw new LmkitError(`${o.resume} is not a DPO run`, {
      hint: 'start DPO from it with --init instead of --resume',
    });
  const init = saved?.run.init ?? o.init;
  if (init === undefined)
    throw new LmkitError('DPO starts from a policy: give --init SFT_DIR', {
      hint: "an SFT run's folder (lmkit train --objective sft); it is also the frozen reference",
    });
  const reference = GPTModel.load(init);
  const policy = saved ? GPTModel.load(o.resume as string) : GPTModel.load(init);
  if (policy.tokenizer.vocabSize !== reference.tokenizer.vocabSize)
    throw new LmkitError(`${o.resume} and its reference ${init} have different tokenizers`);
  const config = resolveTrainConfig(
    saved ? saved.run : DPO_DEFAULTS,
    ...keepArchitecture(o.settings, policy, init),
  );
  const beta = numberSetting(config, 'beta', 0.1);
  if (beta === 0) throw new LmkitError('beta must be above 0 (it scales the implicit reward)');

  const data = o.data ?? saved?.run.data;
  if (data === undefined) throw new LmkitError('no preference data given: --data FILE.jsonl');
  const valid = o.valid ?? saved?.run.valid ?? undefined;
  const all = readPreferenceFile(data);
  const parts = valid === undefined ? splitSFT(all) : { train: all, valid: readPreferenceFile(valid) };
  reference.net.eval();
  const encode = (examples: PreferenceExample[], name: string, what: string): Ranked[] => {
    // inputs are all tokens but the last, so a sequence may be block_size + 1 long
    const set = encodePreferences(policy.tokenizer, policy.prefix, examples, config.block_size + 1, name);
    if (!set.examples.length) throw noRankingsError(examples.length, what, name, config.block_size);
    return set.examples.map((e) => ({
      ...e,
      refLogProbs: noGrad(() =>
        tidy(() => Float64Array.from(responseLogProbs(reference.net, e.responses).data)),
      ),
    }));
  };
  const train = encode(parts.train, data, 'training');
  const validSet = encode(parts.valid, valid ?? data, 'validation');
  const tokens = (s: Ranked[]) =>
    s.reduce((n, e) => n + e.responses.reduce((m, r) => m + r.ids.length, 0), 0);
  const pairs = (s: Ranked[]) => s.reduce((n, e) => n + e.pairs.length, 0);

  const run: RunInfo = {
    ...config,
    beta,
    data,
    valid: valid ?? null,
    tokenizer: saved?.run.tokenizer ?? recordedTokenizer(init),
    objective: 'dpo',
    init,
  };
  o.onStart?.({
    run,
    trainTokens: tokens(train),
    validTokens: tokens(validSet),
    parameters: policy.net.parameterCount(),
    note:
      `DPO (β ${beta}) on ${train.length} rankings (${pairs(train)} pairs), validating on ${validSet.length} ` +
      `(${pairs(validSet)} pairs)` +
      (valid === undefined ? ' (every 10th ranking)' : ` from ${valid}`) +
      `; reference: ${init} (frozen)`,
  });

  /** The loss and implicit-reward figures of some rankings (gradients flow unless under noGrad). */
  const lossOf = (rankings: Ranked[]) => {
    const sequences = rankings.flatMap((r) => r.responses);
    const offsets: number[] = [];
    rankings.reduce((n, r) => (offsets.push(n), n + r.responses.length), 0);
    const ref = new Float32Array(sequences.length);
    rankings.forEach((r, i) => ref.set(r.refLogProbs, offsets[i]));
    const logp = responseLogProbs(policy.net, sequences);
    const rewards = affine(sub(logp, new Tensor(ref, [sequences.length])), beta); // (N) β (log π − log π_ref)
    const batch = pairBatch(rankings, offsets);
    const { loss, differences } = pairwiseRankingLoss(rewards, batch);
    let chosen = 0;
    let rejected = 0;
    for (const [w, l] of batch.pairs) {
      chosen += rewards.data[w];
      rejected += rewards.data[l];
    }
    return {
      loss,
      right: differences.filter((d) => d > 0).length,
      pairs: batch.pairs.length,
      chosen,
      rejected,
    };
  };
  const score = (set: Ranked[]) => {
    const t = { loss: 0, right: 0, pairs: 0, chosen: 0, rejected: 0 };
    for (let i = 0; i < set.length; i += config.batch_size) {
      const chunk = set.slice(i, i + config.batch_size);
      const r = noGrad(() =>
        tidy(() => {
          const x = lossOf(chunk);
          return { ...x, loss: x.loss.item() };
        }),
      );
      t.loss += r.loss * chunk.length;
      t.right += r.right;
      t.pairs += r.pairs;
      t.chosen += r.chosen;
      t.rejected += r.rejected;
    }
    return {
      loss: t.loss / set.length,
      accuracy: t.right / t.pairs,
      chosen: t.chosen / t.pairs,
      rejected: t.rejected / t.pairs,
    };
  };
  const trainSample = sample(train, Math.max(validSet.length, config.batch_size), config.seed + 1);
  let last: Record<string, number> = {};

  const summary = await trainLoop({
    model: {
      net: policy.net,
      targetsPerWindow: Math.round(tokens(train) / train.length),
      save: (dir, extra, metadata) => policy.save(dir, extra, metadata),
    },
    run,
    train: new Int32Array(0),
    valid: new Int32Array(0),
    objective: (split, rng) => {
      const set = split === 'train' ? train : validSet;
      const picked = Array.from({ length: config.batch_size }, () => set[rng.int(set.length)]);
      const r = lossOf(picked);
      return {
        loss: r.loss,
        metrics: {
          accuracy: r.right / r.pairs,
          rewards_chosen: r.chosen / r.pairs,
          rewards_rejected: r.rejected / r.pairs,
          rewards_margins: (r.chosen - r.rejected) / r.pairs,
        },
      };
    },
    evaluate: () => {
      const v = score(validSet);
      const t = score(trainSample);
      last = {
        valid_loss: v.loss,
        valid_accuracy: v.accuracy,
        rewards_chosen: v.chosen,
        rewards_rejected: v.rejected,
        rewards_margins: v.chosen - v.rejected,
        train_accuracy: t.accuracy,
      };
      return { trainLoss: t.loss, valLoss: v.loss, metrics: last };
    },
    out: o.out,
    resume: saved,
    signal: o.signal,
    maxSeconds: o.maxSeconds,
    onStep: o.onStep,
    onEval: o.onEval,
  });
  return { ...summary, metrics: last };
}
