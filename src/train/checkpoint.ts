/**
 * Training checkpoints: the model's checkpoint directory plus `train_state.safetensors` (AdamW moments)
 * and `train_state.json` (step, data-order and dropout RNGs, early-stopping counters), so a run resumes exactly.
 * Every file is stamped with the step, and a checkpoint is staged and published as one unit
 * (checkpoint-commit.ts), so a process killed mid-save leaves the previous checkpoint or the new one,
 * whole; files from different steps (say, copied together by hand) are refused on resume.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LmkitError } from '../errors.js';
import { CHECKPOINT_FILES } from '../models/checkpoint.js';
import { MODEL_KINDS } from '../models/kinds.js';
import { REWARD_KIND } from '../models/reward.js';
import type { AdamW } from '../nn/optim.js';
import { readSafetensors, serializeSafetensors, type StoredTensor } from '../nn/safetensors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { publish, recoverCheckpoint, stagingDir } from './checkpoint-commit.js';
import type { TrainConfig } from './config.js';
import type { NeuralModel } from '../models/kinds.js';

/** Where a run stands, besides weights and optimizer moments. */
export interface TrainState {
  /** Optimizer steps done. */
  step: number;
  /** The data-order RNG's state. */
  rng: number[];
  /** The model's dropout RNG's state (absent for models without dropout and older checkpoints). */
  dropoutRng?: number[];
  bestValLoss: number | null;
  /** Evaluations since the validation loss last improved. */
  evalsWithoutImprovement: number;
  /** Milliseconds spent in training steps so far. */
  trainMs: number;
  /** PPO: the KL coefficient β where an adaptive controller has moved it. */
  klCoef?: number;
}

/** What a run records about itself in config.json (under `training`). */
export interface RunInfo extends TrainConfig {
  data: string;
  valid: string | null;
  tokenizer: string;
  /** The data split trained on, when one was chosen. */
  split?: string;
  /** Whether the text went through the classic cleaning (lowercase, letters only, words of 3+ letters). */
  clean?: boolean;
  /**
   * Whether the text was re-flowed into one sentence per line (false: read as written). Pretraining runs
   * from before it was recorded read sentences; SFT runs read conversations as given.
   */
  sentences?: boolean;
  /**
   * `sft` for supervised fine-tuning on conversations, `reward` for a reward model learned from rankings,
   * `dpo` for direct preference optimisation, `ppo` for RLHF's PPO, `classify` and `tag` for fine-tuning a BERT
   * with a sequence or token classification head, `text2text` for an encoder–decoder learning from
   * input/target pairs (absent: pretraining on text: next-token prediction, or the kind's own batches).
   */
  objective?: 'sft' | 'reward' | 'dpo' | 'ppo' | 'classify' | 'tag' | 'text2text';
  /** SFT, reward, DPO: the checkpoint it started from. */
  init?: string;
}

const STATE_WEIGHTS = 'train_state.safetensors';
const STATE_JSON = 'train_state.json';

/**
 * Saves model, optimizer and state to `dir` as one unit (staged, then published: see checkpoint-commit.ts),
 * so a process killed at any moment leaves `dir` holding one whole checkpoint, the new one or the last.
 */
export function saveTrainingCheckpoint(
  dir: string,
  model: Pick<NeuralModel, 'save'>,
  optimizer: AdamW,
  state: TrainState,
  run: RunInfo,
): void {
  const step = String(state.step);
  recoverCheckpoint(dir, CHECKPOINT_FILES.config);
  const staging = stagingDir(dir, state.step);
  model.save(staging, { training: run, step: state.step }, { step });
  writeFileAtomic(join(staging, STATE_WEIGHTS), [serializeSafetensors(optimizer.stateBuffers(), { step })]);
  writeFileAtomic(join(staging, STATE_JSON), [JSON.stringify(state) + '\n']);
  publish(dir, staging, CHECKPOINT_FILES.config);
}

/** A checkpoint's saved run settings, state and optimizer moments, checked to belong together. */
export interface SavedRun {
  run: RunInfo;
  state: TrainState;
  moments: Map<string, StoredTensor>;
}

/** Reads what {@link saveTrainingCheckpoint} wrote; errors say which file is missing or out of step. */
export function readTrainingCheckpoint(dir: string): SavedRun {
  recoverCheckpoint(dir, CHECKPOINT_FILES.config);
  for (const f of [CHECKPOINT_FILES.config, CHECKPOINT_FILES.weights, STATE_WEIGHTS, STATE_JSON]) {
    if (!existsSync(join(dir, f)))
      throw new LmkitError(`cannot resume from ${dir}: it has no ${f}`, {
        hint: "resume from the --out folder of an 'lmkit train' run",
      });
  }
  const config = JSON.parse(readFileSync(join(dir, CHECKPOINT_FILES.config), 'utf8')) as {
    training?: RunInfo;
    step?: number;
    lmkit_kind?: string;
  };
  if (
    config.lmkit_kind === undefined ||
    !(MODEL_KINDS.has(config.lmkit_kind) || config.lmkit_kind === REWARD_KIND)
  )
    throw new LmkitError(
      `cannot resume from ${dir}: it holds a ${config.lmkit_kind ?? 'non-lmkit'} model, not one lmkit trains (${[...MODEL_KINDS.keys()].join(', ')})`,
    );
  if (!config.training)
    throw new LmkitError(`cannot resume from ${dir}: config.json has no training settings`);
  const state = JSON.parse(readFileSync(join(dir, STATE_JSON), 'utf8')) as TrainState;
  const optimizer = readSafetensors(join(dir, STATE_WEIGHTS));
  const weightsStep = readSafetensors(join(dir, CHECKPOINT_FILES.weights)).metadata.step;
  const steps = [String(config.step), optimizer.metadata.step, weightsStep];
  if (steps.some((s) => s !== String(state.step)))
    throw new LmkitError(
      `cannot resume from ${dir}: its files are from different steps (${[...steps, state.step].join(', ')}); a save was cut short`,
    );
  return { run: config.training, state, moments: optimizer.tensors };
}

/** The objective a run folder's config.json records (`sft`, `reward`, `dpo`), or undefined. */
export function runObjective(dir: string): RunInfo['objective'] | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, CHECKPOINT_FILES.config), 'utf8')) as { training?: RunInfo })
      .training?.objective;
  } catch {
    return undefined;
  }
}
