/**
 * RLHF's PPO (Ziegler et al. 2019, InstructGPT's third stage; TRL's PPOTrainer and its defaults): the
 * policy, a GPT checkpoint (normally an SFT run), samples a response to each prompt of a batch with the
 * batched KV-cache decoder; a reward model (or a programmatic judge, `--reward-judge`) scores each
 * response at its end; every token is charged β · KL against the frozen --init model (k1, or k3); a value
 * model (initialised from the reward model, else from the policy's trunk with a fresh head) estimates the
 * return; GAE (γ, λ) gives advantages, whitened over the batch; then several epochs of minibatches
 * optimise the clipped surrogate plus vf_coef · the clipped value loss. β is fixed, or follows Ziegler's
 * adaptive controller when `target_kl` is set. PPO-ptx (InstructGPT's eq. 2): with `--ptx-data TEXT`,
 * each minibatch also adds ptx_coef · the policy's next-token loss on a batch of that pretraining text,
 * which keeps what pretraining taught from being traded away for reward.
 *
 * Per step, metrics.jsonl gets `reward` (mean score before the KL penalty), `kl` (mean summed k1 per
 * response), `entropy` (per token), `clipfrac`, `value_loss`, `policy_loss`, `approx_kl`,
 * `response_length`, `rollout_tokens_per_s`, `kl_coef`, and `gold` where the prompts name a judge (the
 * judge's score of the same responses, which the policy never optimises directly when a reward model
 * gives the reward). Every eval_interval steps the held-out prompts are sampled with a fixed seed; the
 * policy with the best `score − β · KL` there is saved to best/. The checkpoint holds the policy,
 * the value model's weights (value.safetensors) and one AdamW over both, so a run resumes exactly.
 * Responses are sampled at temperature 1, so the log-probabilities of the ratio are the policy's own.
 */
import { join } from 'node:path';
import { chatTemplateFor, replyTo } from '../chat/template.js';
import { LmkitError } from '../errors.js';
import { judgeByName, judged, type Judge } from '../eval/judges.js';
import { neverSampled } from '../generate/sample.js';
import { loadSentences } from '../data/load.js';
import { loadText } from '../data/text.js';
import { GPTModel } from '../models/gpt.js';
import { preprocessingOf } from '../models/preprocessing.js';
import { RewardModel } from '../models/reward.js';
import { AdamW, clipGradNorm } from '../nn/optim.js';
import { warmupCosineLR } from '../nn/schedule.js';
import { add, affine } from '../tensor/ops/elementwise.js';
import { gatherRows } from '../tensor/ops/gather.js';
import { clippedSurrogate, clippedValueLoss } from '../tensor/ops/ppo.js';
import { reshape } from '../tensor/ops/shape.js';
import { tokenLogProbs } from '../tensor/ops/token-log-probs.js';
import { noGrad, tidy, type Tensor } from '../tensor/tensor.js';
import { encodeStream } from '../tokenizers/line-break.js';
import { tokenizerJSON } from '../tokenizers/tokenizer-file.js';
import { Rng } from '../util/rng.js';
import {
  readTrainingCheckpoint,
  saveTrainingCheckpoint,
  type RunInfo,
  type TrainState,
} from './checkpoint.js';
import { checkStream, randomBatch } from './batches.js';
import { resolveTrainConfig, type TrainConfig } from './config.js';
import { METRICS_FILE, MetricsLog } from './metrics.js';
import { checkPromptFits, encodePrompt, readPromptFile, type PromptExample } from './preference-data.js';
import { responseTargets } from './preference-losses.js';
import { keepArchitecture, numberSetting, recordedTokenizer } from './reward.js';
import { adaptiveKL, gae, tokenRewards, whiten, type KLEstimator } from './rl-advantages.js';
import { sampleRollouts } from './rollout.js';
import { splitSFT } from './sft-data.js';

/** The value model's weights inside a PPO checkpoint. */
export const VALUE_FILE = 'value.safetensors';

/** PPO's defaults under the flags: TRL's (kl_coef 0.05, cliprange 0.2, vf_coef 0.1, γ 1, λ 0.95, 4 epochs). */
export const PPO_DEFAULTS: Partial<TrainConfig> = {
  learning_rate: 3e-5,
  min_lr: 3e-6,
  max_iters: 100,
  warmup_iters: 0,
  weight_decay: 0,
  batch_size: 16,
  eval_interval: 10,
  eval_iters: 2,
  kl_coef: 0.05,
  kl_estimator: 'k1',
  cliprange: 0.2,
  cliprange_value: 0.2,
  vf_coef: 0.1,
  gamma: 1,
  lam: 0.95,
  num_ppo_epochs: 4,
  num_mini_batches: 2,
  response_length: 53,
};

/** What to optimise, against what. */
export interface PPOOptions {
  /** The policy's starting checkpoint, also the frozen reference (not needed on resume). */
  init?: string;
  /** A reward model folder (lmkit train --objective reward). */
  reward?: string;
  /** A programmatic judge as the reward instead (eval/judges.ts). */
  rewardJudge?: string;
  /** Prompt JSONL (`{"prompt"}` or `{"messages"}`; a `judge` and `reference` give the gold score). */
  data?: string;
  valid?: string;
  /** Pretraining text (a file or dataset) for PPO-ptx's language-modelling term. */
  ptxData?: string;
  settings: Partial<TrainConfig>[];
  out: string;
  resume?: string;
  signal?: AbortSignal;
  /** A wall-clock limit in seconds: the run then evaluates, checkpoints and stops ('time'). */
  maxSeconds?: number;
  onStart?(info: { run: RunInfo; parameters: number; note: string }): void;
  onStep?(step: number, metrics: Record<string, number>): void;
  onEval?(step: number, metrics: Record<string, number>, improved: boolean): void;
}

/** How a PPO run ended and its last figures. */
export interface PPOSummary {
  steps: number;
  seconds: number;
  stopped: 'done' | 'interrupted' | 'time';
  out: string;
  best: string;
  /** The last step's metrics and the last evaluation's (prefixed `valid_`). */
  metrics: Record<string, number>;
}

/** A prompt ready to sample from. */
interface Prompt {
  ids: number[];
  /** The prompt's messages (a last assistant message is continued). */
  messages: PromptExample['prompt'];
  meta: Record<string, unknown>;
  where: string;
}

/** Optimises (or resumes optimising) a policy by PPO and returns the run's summary. */
export async function trainPPO(o: PPOOptions): Promise<PPOSummary> {
  const started = performance.now();
  const saved = o.resume === undefined ? undefined : readTrainingCheckpoint(o.resume);
  if (saved && saved.run.objective !== 'ppo')
    throw new LmkitError(`${o.resume} is not a PPO run`, {
      hint: 'start PPO from it with --init instead of --resume',
    });
  const init = saved?.run.init ?? o.init;
  if (init === undefined)
    throw new LmkitError('PPO starts from a policy: give --init SFT_DIR', {
      hint: "an SFT run's folder (lmkit train --objective sft); it is also the frozen reference",
    });
  const rewardDir = (saved?.run.reward as string | undefined) ?? o.reward;
  const judgeName = (saved?.run.reward_judge as string | undefined) ?? o.rewardJudge;
  if (rewardDir === undefined && judgeName === undefined)
    throw new LmkitError(
      'PPO needs a reward: give --reward RM_DIR (lmkit train --objective reward) or --reward-judge NAME',
    );
  if (rewardDir !== undefined && judgeName !== undefined)
    throw new LmkitError('give --reward or --reward-judge, not both');

  const policy = saved ? GPTModel.load(o.resume as string) : GPTModel.load(init);
  const reference = GPTModel.load(init);
  reference.net.eval();
  const rm = rewardDir === undefined ? undefined : RewardModel.load(rewardDir);
  if (rm && JSON.stringify(tokenizerJSON(rm.tokenizer)) !== JSON.stringify(tokenizerJSON(policy.tokenizer)))
    throw new LmkitError(`the reward model ${rewardDir} has another tokenizer than the policy ${init}`, {
      hint: 'train the reward model from the SFT run the policy starts from (--init of lmkit train --objective reward)',
    });
  const config = resolveTrainConfig(
    saved ? saved.run : PPO_DEFAULTS,
    ...keepArchitecture(o.settings, policy, init),
  );
  const s = ppoSettings(config);
  const value = rm
    ? RewardModel.load(rewardDir as string)
    : new RewardModel(GPTModel.load(init), config.seed);
  value.offset = 0;
  if (saved) value.loadWeightsFrom(join(o.resume as string, VALUE_FILE));
  const rewardJudge = judgeName === undefined ? undefined : await judgeByName(judgeName);

  const data = o.data ?? saved?.run.data;
  if (data === undefined) throw new LmkitError('no prompts given: --data prompts.jsonl');
  const valid = o.valid ?? saved?.run.valid ?? undefined;
  const all = readPromptFile(data);
  const parts = valid === undefined ? splitSFT(all) : { train: all, valid: readPromptFile(valid) };
  const template = chatTemplateFor(policy.tokenizer);
  const endOfTurn = template.endOfTurn[0] ?? policy.tokenizer.special.eos;
  const prepare = (examples: PromptExample[], name: string): Prompt[] =>
    examples.map((e) => {
      const where = `${name} line ${e.line}`;
      // room for one response token and the end of the turn
      checkPromptFits(
        encodePrompt(policy.tokenizer, policy.prefix, e.prompt).ids.length + 1,
        config.block_size,
        where,
      );
      return {
        ids: template.render(e.prompt, { continueFinal: true }),
        messages: e.prompt,
        meta: e.meta,
        where,
      };
    });
  const train = prepare(parts.train, data);
  const validSet = prepare(parts.valid, valid ?? data);
  const judges = new Map<string, Judge>();
  for (const p of [...train, ...validSet]) {
    const name = p.meta.judge;
    if (typeof name === 'string' && !judges.has(name)) judges.set(name, await judgeByName(name));
  }
  if (rewardJudge && !judges.has(rewardJudge.name)) judges.set(rewardJudge.name, rewardJudge);

  const ptxData = o.ptxData ?? (saved?.run.ptx_data as string | undefined);
  const ptx = await ptxStream(policy, ptxData, s.ptxCoef, config.block_size);

  const params = [...policy.net.namedParameters(), ...value.net.namedParameters('value.')];
  const optimizer = new AdamW(params, {
    lr: config.learning_rate,
    betas: [config.beta1, config.beta2],
    weightDecay: config.weight_decay,
    noDecay: ['bias', 'norm'],
  });
  const schedule = warmupCosineLR({
    lr: config.learning_rate,
    warmupSteps: config.warmup_iters,
    totalSteps: config.lr_decay_iters,
    minLr: config.min_lr,
  });
  const rng = new Rng(config.seed);
  const state: TrainState = {
    step: 0,
    rng: rng.state(),
    bestValLoss: null,
    evalsWithoutImprovement: 0,
    trainMs: 0,
    klCoef: s.klCoef,
  };
  if (saved) {
    Object.assign(state, saved.state);
    rng.setState(state.rng);
    optimizer.loadState(saved.moments, state.step);
  }
  const run: RunInfo = {
    ...config,
    data,
    valid: valid ?? null,
    tokenizer: saved?.run.tokenizer ?? recordedTokenizer(init),
    objective: 'ppo',
    init,
    ...(rewardDir === undefined ? { reward_judge: judgeName } : { reward: rewardDir }),
    ...(ptxData === undefined ? {} : { ptx_data: ptxData, ptx_coef: s.ptxCoef }),
  };
  o.onStart?.({
    run,
    parameters: policy.net.parameterCount() + value.net.parameterCount(),
    note:
      `PPO on ${train.length} prompts (validating on ${validSet.length}${valid === undefined ? ', every 10th' : ` from ${valid}`}); ` +
      `reward: ${rewardDir === undefined ? `the ${judgeName} judge` : `reward model ${rewardDir}`}; reference: ${init} (frozen); ` +
      `KL ${s.estimator}, β ${s.target === undefined ? s.klCoef : `${s.klCoef} adaptive to target ${s.target}`}` +
      (judges.size ? `; gold: ${[...judges.keys()].join(', ')} judge where a prompt names it` : '') +
      (ptx ? `; PPO-ptx: ${s.ptxCoef} × next-token loss on ${ptxData} (${ptx.length} tokens)` : ''),
  });

  const suppress = neverSampled(policy.tokenizer);
  const stopTokens = [endOfTurn, policy.tokenizer.special.eos].filter((t): t is number => t !== undefined);

  /** Responses to prompts and their scores (reward and gold), sampled with `rngs`. */
  const rollOut = (prompts: Prompt[], rngs: Rng[]) => {
    const t0 = performance.now();
    const rollouts = sampleRollouts(
      policy,
      prompts.map((p) => p.ids),
      {
        maxTokens: s.responseLength,
        stopTokens,
        suppressTokens: suppress,
        rngs,
        reserve: 1, // the end of the turn the reward model reads when a response is cut short
      },
    ).filter((r, i) => {
      if (r.response.length) return true;
      throw new LmkitError(
        `${prompts[i].where}: the policy could sample no response (every token is impossible)`,
      );
    });
    const generateMs = performance.now() - t0;
    const texts = rollouts.map((r, i) =>
      replyTo(
        template,
        prompts[i].messages,
        policy.tokenizer.decode(r.ended ? r.response.slice(0, -1) : r.response),
      ),
    );
    const scores = rm
      ? Array.from(
          rm.score(
            rollouts.map((r) => [
              ...r.prompt,
              ...r.response,
              ...(r.ended || endOfTurn === undefined ? [] : [endOfTurn]),
            ]),
          ),
        )
      : texts.map((t, i) => judged(rewardJudge as Judge, t, prompts[i].meta, prompts[i].where));
    const gold = prompts.map((p, i) => {
      const j = typeof p.meta.judge === 'string' ? judges.get(p.meta.judge) : undefined;
      return j ? judged(j, texts[i], p.meta, p.where) : NaN;
    });
    return { rollouts, texts, scores, gold, generateMs };
  };

  const metrics = new MetricsLog(join(o.out, METRICS_FILE));
  metrics.truncateAfter(saved ? state.step : -1);
  const best = join(o.out, 'best');
  let last: Record<string, number> = {};
  let lastEval: Record<string, number> = {};
  let stopped: PPOSummary['stopped'] = 'done';
  const save = () => {
    state.rng = rng.state();
    saveTrainingCheckpoint(
      o.out,
      {
        save: (dir, extra, metadata) => {
          policy.save(dir, extra, metadata);
          value.saveWeights(join(dir, VALUE_FILE), metadata);
        },
      },
      optimizer,
      state,
      run,
    );
  };
  const evaluate = () => {
    const prompts = validSet.slice(0, config.eval_iters * config.batch_size);
    const evalRng = new Rng(config.seed + 2);
    const r = rollOut(
      prompts,
      prompts.map(() => new Rng(evalRng.int(2 ** 31))),
    );
    const seqs = r.rollouts.map((x) => ({
      ids: Int32Array.from([...x.prompt, ...x.response]),
      start: x.prompt.length,
    }));
    const logp = responseTokenLogProbsNoGrad(policy.net, seqs);
    const ref = responseTokenLogProbsNoGrad(reference.net, seqs);
    const kl = perSequence(seqs, logp, ref).map(([a, b]) => a.reduce((sum, x, t) => sum + x - b[t], 0));
    const m = {
      valid_reward: mean(r.scores),
      valid_kl: mean(kl),
      ...(r.gold.some((g) => !Number.isNaN(g))
        ? { valid_gold: mean(r.gold.filter((g) => !Number.isNaN(g))) }
        : {}),
      valid_response_length: mean(r.rollouts.map((x) => x.response.length)),
    };
    return { ...m, valid_objective: m.valid_reward - (state.klCoef ?? s.klCoef) * m.valid_kl };
  };
  const resumedAt = saved ? state.step : -1;

  policy.net.train();
  value.net.train();
  for (;;) {
    const outOfTime =
      o.maxSeconds !== undefined &&
      state.step > 0 &&
      state.step < config.max_iters &&
      (performance.now() - started) / 1000 >= o.maxSeconds;
    if (
      (state.step % config.eval_interval === 0 || state.step >= config.max_iters || outOfTime) &&
      state.step !== resumedAt
    ) {
      policy.net.eval();
      lastEval = evaluate();
      policy.net.train();
      const improved = state.bestValLoss === null || -lastEval.valid_objective < state.bestValLoss;
      if (improved) {
        state.bestValLoss = -lastEval.valid_objective;
        policy.save(best, { training: run, step: state.step });
      }
      metrics.write({ type: 'eval', step: state.step, ...lastEval, train_s: state.trainMs / 1000 });
      o.onEval?.(state.step, lastEval, improved);
      save();
    }
    if (state.step >= config.max_iters) break;
    if (outOfTime) {
      stopped = 'time';
      break;
    }

    const t0 = performance.now();
    const beta = state.klCoef ?? s.klCoef;
    const picked = Array.from({ length: config.batch_size }, () => train[rng.int(train.length)]);
    const rngs = picked.map(() => new Rng(rng.int(2 ** 31)));
    policy.net.eval();
    const r = rollOut(picked, rngs);
    const seqs = r.rollouts.map((x) => ({
      ids: Int32Array.from([...x.prompt, ...x.response]),
      start: x.prompt.length,
    }));
    // the rollout's log-probabilities, the reference's and the values, at every response token
    const old = responseTokenLogProbsNoGrad(policy.net, seqs);
    const ref = responseTokenLogProbsNoGrad(reference.net, seqs);
    const oldValues = noGrad(() => tidy(() => Float64Array.from(responseValues(value, seqs).data)));
    policy.net.train();
    const perOld = perSequence(seqs, old, ref);
    const perValue = splitBy(seqs, oldValues);
    const advantages: Float64Array[] = [];
    const returns: Float64Array[] = [];
    const kls: number[] = [];
    perOld.forEach(([lp, rp], i) => {
      const { rewards } = tokenRewards(lp, rp, r.scores[i], beta, s.estimator);
      kls.push(lp.reduce((sum, x, t) => sum + x - rp[t], 0));
      const g = gae(rewards, perValue[i], s.gamma, s.lam);
      advantages.push(g.advantages);
      returns.push(g.returns);
    });
    whiten(advantages);

    const lr = schedule(state.step);
    let clipped = 0;
    let tokens = 0;
    let approxKL = 0;
    let entropy = 0;
    let valueLoss = 0;
    let policyLoss = 0;
    let ptxLoss = 0;
    let updates = 0;
    const order = [...seqs.keys()];
    for (let epoch = 0; epoch < s.epochs; epoch++) {
      shuffle(order, rng);
      const size = Math.ceil(order.length / s.miniBatches);
      for (let b = 0; b < order.length; b += size) {
        const mb = order.slice(b, b + size);
        const flat = (arrays: ArrayLike<number>[]) =>
          Float64Array.from(mb.flatMap((i) => Array.from(arrays[i])));
        const oldMb = flat(perOld.map(([lp]) => lp));
        const advMb = flat(advantages);
        const stats = tidy(() => {
          const { logp: lp, entropy: h } = responseTokenLogProbs(
            policy.net,
            mb.map((i) => seqs[i]),
          );
          const v = responseValues(
            value,
            mb.map((i) => seqs[i]),
          );
          const pg = clippedSurrogate(lp, oldMb, advMb, s.cliprange);
          const vf = clippedValueLoss(v, flat(perValue), flat(returns), s.cliprangeValue);
          let loss = add(pg, affine(vf, s.vfCoef));
          let lm: Tensor | undefined;
          if (ptx) {
            // PPO-ptx: as many pretraining windows as the minibatch has responses
            const batch = randomBatch(ptx, mb.length, config.block_size, rng);
            lm = policy.net.loss(batch.x, batch.y);
            loss = add(loss, affine(lm, s.ptxCoef));
          }
          loss.backward();
          const newLp = lp.data;
          let c = 0;
          let k = 0;
          for (let t = 0; t < newLp.length; t++) {
            const ratio = Math.exp(newLp[t] - oldMb[t]);
            if (Math.abs(ratio - 1) > s.cliprange) c++;
            k += 0.5 * (newLp[t] - oldMb[t]) ** 2;
          }
          return {
            pg: pg.item(),
            vf: vf.item(),
            lm: lm?.item() ?? 0,
            clipped: c,
            approxKL: k,
            n: newLp.length,
            entropy: h,
          };
        });
        if (config.grad_clip > 0) clipGradNorm(params, config.grad_clip);
        optimizer.step(lr);
        optimizer.zeroGrad();
        clipped += stats.clipped;
        approxKL += stats.approxKL;
        tokens += stats.n;
        entropy += stats.entropy;
        policyLoss += stats.pg;
        valueLoss += stats.vf;
        ptxLoss += stats.lm;
        updates++;
      }
    }
    const responseTokens = r.rollouts.reduce((n, x) => n + x.response.length, 0);
    const meanKL = mean(kls);
    if (s.target !== undefined)
      state.klCoef = adaptiveKL(beta, meanKL, s.target, config.batch_size, s.horizon);
    state.step++;
    const stepMs = performance.now() - t0;
    state.trainMs += stepMs;
    const gold = r.gold.filter((g) => !Number.isNaN(g));
    last = {
      reward: mean(r.scores),
      kl: meanKL,
      entropy: entropy / tokens,
      clipfrac: clipped / tokens,
      value_loss: valueLoss / updates,
      policy_loss: policyLoss / updates,
      ...(ptx ? { ptx_loss: ptxLoss / updates } : {}),
      approx_kl: approxKL / tokens,
      response_length: responseTokens / r.rollouts.length,
      rollout_tokens_per_s: (responseTokens * 1000) / r.generateMs,
      ...(gold.length ? { gold: mean(gold) } : {}),
      kl_coef: beta,
      lr,
      step_s: stepMs / 1000,
      generate_share: r.generateMs / stepMs,
    };
    metrics.write({ type: 'train', step: state.step, ...last, train_s: state.trainMs / 1000 });
    o.onStep?.(state.step, last);
    await new Promise((resolve) => setImmediate(resolve)); // lets Ctrl-C through
    if (o.signal?.aborted) {
      save();
      stopped = 'interrupted';
      break;
    }
  }
  policy.net.eval();
  return {
    steps: state.step,
    seconds: (performance.now() - started) / 1000,
    stopped,
    out: o.out,
    best,
    metrics: { ...last, ...lastEval },
  };
}

/** PPO's own settings, checked (TRL's names). */
function ppoSettings(c: TrainConfig) {
  const estimator = c.kl_estimator ?? 'k1';
  if (estimator !== 'k1' && estimator !== 'k3')
    throw new LmkitError(`kl_estimator must be k1 or k3 (got ${JSON.stringify(estimator)})`);
  const whole = (key: string, fallback: number) => {
    const v = numberSetting(c, key, fallback);
    if (!Number.isInteger(v) || v < 1) throw new LmkitError(`${key} must be a whole number ≥ 1 (got ${v})`);
    return v;
  };
  const target = c.target_kl === undefined ? undefined : numberSetting(c, 'target_kl', 0);
  if (target === 0) throw new LmkitError('target_kl must be above 0');
  const gamma = numberSetting(c, 'gamma', 1);
  const lam = numberSetting(c, 'lam', 0.95);
  if (gamma > 1 || lam > 1) throw new LmkitError('gamma and lam must lie in [0, 1]');
  return {
    estimator: estimator as KLEstimator,
    klCoef: numberSetting(c, 'kl_coef', 0.05),
    target,
    horizon: whole('kl_horizon', 10000),
    cliprange: numberSetting(c, 'cliprange', 0.2),
    cliprangeValue: numberSetting(c, 'cliprange_value', 0.2),
    vfCoef: numberSetting(c, 'vf_coef', 0.1),
    gamma,
    lam,
    epochs: whole('num_ppo_epochs', 4),
    miniBatches: whole('num_mini_batches', 2),
    responseLength: whole('response_length', 53),
    ptxCoef: numberSetting(c, 'ptx_coef', 1),
  };
}

/**
 * PPO-ptx's pretraining tokens: `source` (a file or dataset) prepared as the policy's training text was
 * and encoded with its tokenizer; undefined without a source.
 */
async function ptxStream(
  policy: GPTModel,
  source: string | undefined,
  coef: number,
  blockSize: number,
): Promise<Int32Array | undefined> {
  if (source === undefined) return undefined;
  if (!(coef > 0))
    throw new LmkitError(`ptx_coef must be above 0 with --ptx-data (got ${coef})`, {
      hint: 'leave --ptx-data out for plain PPO',
    });
  const prep = preprocessingOf(policy);
  const text = prep.sentences
    ? (await loadSentences(source, { clean: prep.clean })).join('\n')
    : await loadText(source, { clean: prep.clean });
  const tokens = encodeStream(policy.tokenizer, text);
  checkStream(tokens, blockSize, 'PPO-ptx pretraining');
  return tokens;
}

/** The flat positions b·T + t whose output predicts a response token (t from start − 1 to length − 2). */
function responseRows(seqs: readonly { ids: Int32Array; start: number }[], T: number): Int32Array {
  const rows: number[] = [];
  seqs.forEach(({ ids, start }, b) => {
    for (let t = start - 1; t < ids.length - 1; t++) rows.push(b * T + t);
  });
  return Int32Array.from(rows);
}

/** ln π of every response token of the sequences, in order (M), and the policy's entropy summed over those positions. */
function responseTokenLogProbs(
  net: GPTModel['net'],
  seqs: readonly { ids: Int32Array; start: number }[],
): { logp: Tensor; entropy: number } {
  const { x, y } = responseTargets(seqs);
  const [N, T] = x.shape;
  const logits = net.forward(x); // (N,T,V)
  const all = reshape(tokenLogProbs(logits, y), [N * T, 1]);
  const rows = responseRows(seqs, T);
  const logp = reshape(gatherRows(all, rows), [rows.length]); // (M)
  const V = logits.shape[2];
  const z = logits.data;
  let entropy = 0;
  for (const r of rows) {
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, z[r * V + v]);
    let sum = 0;
    let dot = 0;
    for (let v = 0; v < V; v++) {
      const e = Math.exp(z[r * V + v] - max);
      sum += e;
      dot += e * (z[r * V + v] - max);
    }
    entropy += Math.log(sum) - dot / sum; // H = log Σ e^(z − max) − Σ p (z − max)
  }
  return { logp, entropy };
}

/** ln π of every response token (M), without gradients. */
function responseTokenLogProbsNoGrad(
  net: GPTModel['net'],
  seqs: readonly { ids: Int32Array; start: number }[],
): Float64Array {
  return noGrad(() => tidy(() => Float64Array.from(responseTokenLogProbs(net, seqs).logp.data)));
}

/** The value model's estimate at every response token (M): the head at the position before the token. */
function responseValues(value: RewardModel, seqs: readonly { ids: Int32Array; start: number }[]): Tensor {
  const { x } = responseTargets(seqs);
  return value.net.forward(x, responseRows(seqs, x.shape[1]));
}

/** Splits a flat per-token array back into one array per sequence. */
function splitBy(
  seqs: readonly { ids: Int32Array; start: number }[],
  flat: ArrayLike<number>,
): Float64Array[] {
  let at = 0;
  return seqs.map(({ ids, start }) => {
    const n = ids.length - start;
    const out = Float64Array.from(Array.prototype.slice.call(flat, at, at + n) as number[]);
    at += n;
    return out;
  });
}

/** Per sequence, the policy's and the reference's response log-probabilities. */
function perSequence(
  seqs: readonly { ids: Int32Array; start: number }[],
  logp: Float64Array,
  ref: Float64Array,
): [Float64Array, Float64Array][] {
  const a = splitBy(seqs, logp);
  const b = splitBy(seqs, ref);
  return a.map((x, i) => [x, b[i]]);
}

function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN;
}

/** Fisher–Yates in place. */
function shuffle(xs: number[], rng: Rng): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
}
