/**
 * The training loop (nanoGPT's train.py): AdamW with warmup + cosine decay and gradient clipping on
 * random windows; every eval_interval steps the mean loss of eval_iters batches on each split, a
 * checkpoint of the run and, when the validation loss improves, of the best model; early stopping;
 * metrics as JSONL. Each step runs inside tidy(), so a warm step allocates nothing.
 */
import { join } from 'node:path';
import type { NeuralModel } from '../models/kinds.js';
import type { Module } from '../nn/module.js';
import { AdamW, clipGradNorm } from '../nn/optim.js';
import { warmupCosineLR } from '../nn/schedule.js';
import { Rng } from '../util/rng.js';
import { noGrad, tidy, type Tensor } from '../tensor/tensor.js';
import { randomBatch, type Batch } from './batches.js';
import { saveTrainingCheckpoint, type RunInfo, type SavedRun, type TrainState } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import { METRICS_FILE, MetricsLog } from './metrics.js';

/** What every run of the loop takes besides its data: settings, folders, Ctrl-C and what it reports. */
export interface RunOptions {
  /** Settings from a config file and flags, in order of precedence (later wins). */
  settings: Partial<TrainConfig>[];
  out: string;
  /** A run directory (of the same objective) to continue from. */
  resume?: string;
  signal?: AbortSignal;
  /** A wall-clock limit in seconds for this invocation: the run then evaluates, checkpoints and stops ('time'). */
  maxSeconds?: number;
  /** Called once the data is ready, before the first step; `note` says what was prepared, added or dropped. */
  onStart?(info: {
    run: RunInfo;
    trainTokens: number;
    validTokens: number;
    parameters: number;
    note: string;
  }): void;
  onStep?(step: number, loss: number, tokensPerSecond: number): void;
  onEval?(record: EvalRecord): void;
}

/** One evaluation: mean losses on the two splits. */
export interface EvalRecord {
  step: number;
  trainLoss: number;
  valLoss: number;
  improved: boolean;
  /** An objective's own evaluation figures (a reward model's valid_accuracy, ...), logged with the losses. */
  metrics?: Record<string, number>;
}

/** How a run ended and what it reached. */
export interface TrainSummary {
  steps: number;
  /** Training tokens per second (steps only; evaluation and saving excluded). */
  tokensPerSecond: number;
  trainLoss: number;
  valLoss: number;
  bestValLoss: number;
  seconds: number;
  stopped: 'done' | 'early' | 'interrupted' | 'time';
  out: string;
  best: string;
}

/**
 * A model the loop can train: any neural kind (models/kinds.ts), or a network trained through an
 * objective of its own ({@link LoopOptions.objective}: a reward model, DPO), which needs no `loss`.
 */
export type TrainableModel = Pick<NeuralModel, 'targetsPerWindow' | 'save'> & {
  net: Module & Partial<Pick<NeuralModel['net'], 'loss' | 'dropoutRng'>>;
};

/** One training step's loss of an objective of its own, and figures to log with it. */
export interface ObjectiveStep {
  loss: Tensor;
  metrics?: Record<string, number>;
}

/** What the loop needs. */
export interface LoopOptions {
  model: TrainableModel;
  run: RunInfo;
  train: Int32Array;
  valid: Int32Array;
  /** The run directory: latest checkpoint, metrics.jsonl, and best/ for the best model. */
  out: string;
  /** A checkpoint to continue from (weights already loaded into the model). */
  resume?: SavedRun;
  /** Draws a batch of a split (default: random windows of the train/valid streams); SFT draws padded examples. */
  batch?(split: 'train' | 'valid', rng: Rng): Batch;
  /**
   * The loss of one step drawn from a split, for objectives other than next-token prediction (a reward
   * model's ranking loss, DPO); default: `net.loss` of a batch.
   */
  objective?(split: 'train' | 'valid', rng: Rng): ObjectiveStep;
  /** An evaluation of the objective's own (whole held-out set, accuracies); default: eval_iters batches per split. */
  evaluate?(): { trainLoss: number; valLoss: number; metrics?: Record<string, number> };
  /** Aborting saves a checkpoint after the current step and ends the run. */
  signal?: AbortSignal;
  /** Seconds after which the run evaluates, saves and ends as if it had reached max_iters (stopped 'time'). */
  maxSeconds?: number;
  onStep?(step: number, loss: number, tokensPerSecond: number): void;
  onEval?(record: EvalRecord): void;
}

/** Trains until max_iters, early stopping or an abort; returns the summary. */
export async function trainLoop(o: LoopOptions): Promise<TrainSummary> {
  const started = performance.now();
  const c = o.run;
  const net = o.model.net;
  const params = net.namedParameters();
  const optimizer = new AdamW(params, {
    lr: c.learning_rate,
    betas: [c.beta1, c.beta2],
    weightDecay: c.weight_decay,
    noDecay: ['bias', 'norm'],
  });
  const schedule = warmupCosineLR({
    lr: c.learning_rate,
    warmupSteps: c.warmup_iters,
    totalSteps: c.lr_decay_iters,
    minLr: c.min_lr,
  });
  const rng = new Rng(c.seed);
  const state: TrainState = {
    step: 0,
    rng: rng.state(),
    bestValLoss: null,
    evalsWithoutImprovement: 0,
    trainMs: 0,
  };
  if (o.resume) {
    Object.assign(state, o.resume.state);
    rng.setState(state.rng);
    if (state.dropoutRng && net.dropoutRng) net.dropoutRng.setState(state.dropoutRng);
    optimizer.loadState(o.resume.moments, state.step);
  }
  const resumedAt = o.resume ? state.step : -1;
  const metrics = new MetricsLog(join(o.out, METRICS_FILE));
  metrics.truncateAfter(o.resume ? state.step : -1); // a fresh run in an old folder starts a fresh log
  const best = join(o.out, 'best');
  const tokensPerStep = c.batch_size * (o.model.targetsPerWindow ?? c.block_size);
  const tokensPerSecond = () => (state.trainMs > 0 ? (state.step * tokensPerStep * 1000) / state.trainMs : 0);
  let last: EvalRecord | null = null;
  let stopped: TrainSummary['stopped'] = 'done';
  const save = () => {
    state.rng = rng.state();
    if (net.dropoutRng) state.dropoutRng = net.dropoutRng.state();
    saveTrainingCheckpoint(o.out, o.model, optimizer, state, c);
  };

  const timeUp = () => o.maxSeconds !== undefined && (performance.now() - started) / 1000 >= o.maxSeconds;
  net.train();
  for (;;) {
    const outOfTime = state.step > 0 && state.step < c.max_iters && timeUp();
    const due = state.step % c.eval_interval === 0 || state.step >= c.max_iters || outOfTime;
    if (due && state.step !== resumedAt) {
      last = evaluate(o, state.step);
      last.improved = state.bestValLoss === null || last.valLoss < state.bestValLoss;
      if (last.improved) {
        state.bestValLoss = last.valLoss;
        state.evalsWithoutImprovement = 0;
        o.model.save(best, { training: c, step: state.step });
      } else state.evalsWithoutImprovement++;
      metrics.write({
        type: 'eval',
        step: state.step,
        train_loss: last.trainLoss,
        val_loss: last.valLoss,
        ...last.metrics,
        train_s: state.trainMs / 1000,
      });
      o.onEval?.(last);
      save();
      if (c.patience > 0 && state.evalsWithoutImprovement >= c.patience) {
        stopped = 'early';
        break;
      }
    }
    if (state.step >= c.max_iters) break;
    if (outOfTime) {
      stopped = 'time';
      break;
    }

    const t0 = performance.now();
    const lr = schedule(state.step);
    const { loss, stepMetrics } = tidy(() => {
      const { loss: l, metrics: m } = stepLoss(o, 'train', rng);
      l.backward();
      return { loss: l.item(), stepMetrics: m };
    });
    if (c.grad_clip > 0) clipGradNorm(params, c.grad_clip);
    optimizer.step(lr);
    optimizer.zeroGrad();
    state.step++;
    state.trainMs += performance.now() - t0;
    metrics.write({
      type: 'train',
      step: state.step,
      loss,
      lr,
      ...stepMetrics,
      train_s: state.trainMs / 1000,
    });
    o.onStep?.(state.step, loss, tokensPerSecond());

    await new Promise((resolve) => setImmediate(resolve)); // lets Ctrl-C through
    if (o.signal?.aborted) {
      save();
      stopped = 'interrupted';
      break;
    }
  }
  net.eval();
  return {
    steps: state.step,
    tokensPerSecond: tokensPerSecond(),
    trainLoss: last?.trainLoss ?? NaN,
    valLoss: last?.valLoss ?? NaN,
    bestValLoss: state.bestValLoss ?? NaN,
    seconds: (performance.now() - started) / 1000,
    stopped,
    out: o.out,
    best,
  };
}

/** A step's loss on a split: the objective's own, or `net.loss` of a batch (default: random windows). */
function stepLoss(o: LoopOptions, split: 'train' | 'valid', rng: Rng): ObjectiveStep {
  if (o.objective) return o.objective(split, rng);
  const c = o.run;
  const { x, y } = o.batch
    ? o.batch(split, rng)
    : randomBatch(split === 'train' ? o.train : o.valid, c.batch_size, c.block_size, rng);
  if (!o.model.net.loss) throw new Error('trainLoop: a network without loss() needs an objective');
  return { loss: o.model.net.loss(x, y) };
}

/**
 * The objective's own evaluation, or the mean loss over eval_iters batches of each split; in eval mode,
 * and the batches are the same at every evaluation.
 */
function evaluate(o: LoopOptions, step: number): EvalRecord {
  const c = o.run;
  const net = o.model.net;
  net.eval();
  const mean = (seed: number, split: 'train' | 'valid') => {
    const rng = new Rng(seed);
    let total = 0;
    for (let i = 0; i < c.eval_iters; i++)
      total += noGrad(() => tidy(() => stepLoss(o, split, rng).loss.item()));
    return total / c.eval_iters;
  };
  const own = o.evaluate?.();
  const record: EvalRecord = own
    ? { step, trainLoss: own.trainLoss, valLoss: own.valLoss, improved: false, metrics: own.metrics }
    : { step, trainLoss: mean(c.seed + 1, 'train'), valLoss: mean(c.seed + 2, 'valid'), improved: false };
  net.train();
  return record;
}
