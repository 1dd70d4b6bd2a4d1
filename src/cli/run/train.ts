/** What `lmkit train` does when it runs (its flags and help are in ../train.ts). */
import { UsageError } from '../../errors.js';
import { DEFAULT_KIND, modelKind } from '../../models/kinds.js';
import { readTrainConfigFile, type TrainConfig } from '../../train/config.js';
import { pretrain } from '../../train/pretrain.js';
import { isSFTRun, trainSFT } from '../../train/sft.js';
import { trainDPO } from '../../train/dpo.js';
import { trainReward } from '../../train/reward.js';
import { trainClassifier } from '../../train/classify.js';
import { isTextToTextRun, trainTextToText } from '../../train/text-to-text.js';
import { runObjective } from '../../train/checkpoint.js';
import { ppoFlagSettings, runPPO } from '../train-ppo.js';
import { ProgressBar } from '../../util/progress.js';
import type { CliIO, ParsedArgs } from '../args.js';
import type { RunInfo } from '../../train/checkpoint.js';
import type { EvalRecord } from '../../train/loop.js';

import { KIND_FLAGS, SETTINGS } from '../train.js';

/** `lmkit train`. */
export async function run(a: ParsedArgs, io: CliIO): Promise<number | void> {
  const resume = a.string('resume');
  const out = a.string('out') ?? resume;
  if (!out) throw new UsageError('--out DIR is required (where the checkpoint goes)');
  if (!a.string('data') && !resume) throw new UsageError('--data NAME_OR_FILE is required');
  const file = a.string('config');
  const controller = new AbortController();
  let started: { parameters: number; trainTokens: number } | undefined;
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    io.stderr.write('\nlmkit: interrupted; saving a checkpoint (Ctrl-C again to quit now)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  let bar: ProgressBar | undefined;
  let lastLoss = NaN;
  try {
    const objective =
      a.string('objective') ??
      (resume === undefined
        ? isTextToTextRun({ model: a.string('model'), init: a.string('init'), data: a.string('data') })
          ? 'text2text'
          : 'lm'
        : isSFTRun(resume)
          ? 'sft'
          : (runObjective(resume) ?? 'lm'));
    const sft = objective === 'sft';
    // a text-to-text run may start fresh (--model, --tokenizer) or from --init
    const fromInit = objective !== 'lm' && objective !== 'text2text';
    if (objective === 'lm' && a.string('init'))
      throw new UsageError(
        '--init is for --objective sft, reward, dpo, ppo, classify or tag, or a T5 checkpoint (fine-tuned on {"input", "target"} JSONL)',
      );
    if (objective === 'text2text' && a.string('init') && a.string('model') !== undefined)
      throw new UsageError('--model does not apply with --init: the model is the --init checkpoint');
    for (const flag of ['tokenizer', 'split', 'model'])
      if (fromInit && a.string(flag) !== undefined)
        throw new UsageError(
          `--${flag} does not apply to ${sft ? 'SFT' : `--objective ${objective}`}: the model and tokenizer are the --init checkpoint's`,
        );
    for (const flag of ['reward', 'reward-judge'])
      if (objective !== 'ppo' && a.string(flag) !== undefined)
        throw new UsageError(`--${flag} is for --objective ppo`);
    if (objective !== 'reward' && a.string('demos') !== undefined)
      throw new UsageError('--demos is for --objective reward');
    const callbacks = {
      onStart: ({ run, trainTokens, validTokens, parameters, note }: StartInfo) => {
        started = { parameters, trainTokens };
        io.stderr.write(
          `training ${modelKind(run.model ?? DEFAULT_KIND).label(run)} of ${(parameters / 1e6).toFixed(2)}M parameters on ${trainTokens} tokens ` +
            `(validation ${validTokens}), ${run.tokenizer} tokenizer, ${run.max_iters} steps\n` +
            (note ? `${note}\n` : ''),
        );
        bar = io.isTTY ? new ProgressBar(io.stderr, 'training', run.max_iters, 'steps') : undefined;
      },
      onStep: (step: number, loss: number, tps: number) => {
        lastLoss = loss;
        bar?.update(step, `loss ${loss.toFixed(4)} ${(tps / 1000).toFixed(1)}k tok/s`);
      },
      onEval: (r: EvalRecord) => {
        bar?.done();
        io.stderr.write(
          `step ${r.step}: train loss ${r.trainLoss.toFixed(4)}, val loss ${r.valLoss.toFixed(4)}` +
            Object.entries(r.metrics ?? {})
              .filter(([k]) => k !== 'valid_loss')
              .map(([k, v]) => `, ${k.replace(/_/g, ' ')} ${v.toFixed(4)}`)
              .join('') +
            `${r.improved ? ' (best)' : ''}\n`,
        );
      },
    };
    const common = {
      data: a.string('data'),
      valid: a.string('valid'),
      settings: [file ? readTrainConfigFile(file) : {}, flagSettings(a)],
      out,
      resume,
      signal: controller.signal,
      maxSeconds: a.number('max-time'),
      ...callbacks,
    };
    if (objective === 'ppo') return await runPPO(a, io, common);
    const extra: Record<string, unknown> = {};
    const summary = await (objective === 'text2text'
      ? trainTextToText({
          ...common,
          init: a.string('init'),
          model: a.string('model'),
          tokenizer: a.string('tokenizer'),
        }).then((s) => {
          Object.assign(extra, s.metrics);
          return s;
        })
      : objective === 'classify' || objective === 'tag'
        ? trainClassifier({ ...common, objective, init: a.string('init') }).then((s) => {
            Object.assign(extra, s.metrics);
            return s;
          })
        : objective === 'reward'
          ? trainReward({ ...common, init: a.string('init'), demos: a.string('demos') }).then((s) => {
              Object.assign(extra, {
                valid_accuracy: s.validAccuracy,
                valid_loss: s.valLoss,
                best_valid_accuracy: s.bestValidAccuracy,
                reward_offset: s.offset,
                demonstrations: s.demos,
              });
              return s;
            })
          : objective === 'dpo'
            ? trainDPO({ ...common, init: a.string('init') }).then((s) => {
                Object.assign(extra, s.metrics);
                return s;
              })
            : sft
              ? trainSFT({ ...common, init: a.string('init') })
              : pretrain({
                  ...common,
                  split: a.string('split'),
                  tokenizer: a.string('tokenizer'),
                  model: a.string('model'),
                  clean: a.flags.has('clean') ? a.bool('clean') : undefined,
                  sentences: a.flags.has('sentences') ? a.bool('sentences') : undefined,
                }));
    bar?.done();
    const result = {
      steps: summary.steps,
      tokens_per_s: Math.round(summary.tokensPerSecond),
      train_loss: summary.trainLoss,
      val_loss: summary.valLoss,
      best_val_loss: summary.bestValLoss,
      last_step_loss: lastLoss,
      seconds: Number(summary.seconds.toFixed(2)),
      stopped: summary.stopped,
      out: summary.out,
      best: summary.best,
      parameters: started?.parameters ?? null,
      train_tokens: started?.trainTokens ?? null,
      ...extra,
    };
    if (a.json) io.stdout.write(JSON.stringify(result) + '\n');
    else
      io.stderr.write(
        `${summary.stopped === 'done' ? 'trained' : summary.stopped === 'early' ? 'stopped early after' : summary.stopped === 'time' ? 'stopped at --max-time after' : 'interrupted after'} ` +
          `${summary.steps} steps in ${summary.seconds.toFixed(1)} s (${Math.round(summary.tokensPerSecond)} tokens/s); ` +
          `checkpoint in ${summary.out}, best model (val loss ${summary.bestValLoss.toFixed(4)}) in ${summary.best}\n`,
      );
    if (!a.json && (objective === 'classify' || objective === 'tag'))
      io.stderr.write(
        `held-out accuracy ${(extra.valid_accuracy as number).toFixed(4)}, macro-F1 ${(extra.valid_macro_f1 as number).toFixed(4)}` +
          (extra.test_accuracy === undefined
            ? ''
            : `; test (best model) accuracy ${(extra.test_accuracy as number).toFixed(4)}, macro-F1 ${(extra.test_macro_f1 as number).toFixed(4)}`) +
          '\n',
      );
    if (!a.json && objective === 'text2text')
      io.stderr.write(
        `held-out exact match ${(extra.valid_exact_match as number).toFixed(4)}` +
          Object.entries(extra)
            .filter(([k]) => k.startsWith('valid_exact_match/'))
            .map(([k, v]) => `, ${k.slice('valid_exact_match/'.length)} ${(v as number).toFixed(4)}`)
            .join('') +
          '\n',
      );
    if (!a.json && objective === 'reward')
      io.stderr.write(
        `held-out pairwise accuracy ${(extra.valid_accuracy as number).toFixed(4)} (best model ${(extra.best_valid_accuracy as number).toFixed(4)}); ` +
          `reward offset ${(extra.reward_offset as number).toFixed(4)} makes the mean reward of ${extra.demonstrations as number} demonstrations 0\n`,
      );
    return summary.stopped === 'interrupted' ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** What a training run reports before its first step. */
interface StartInfo {
  run: RunInfo;
  trainTokens: number;
  validTokens: number;
  parameters: number;
  note?: string;
}

/** The settings given as flags (absent ones undefined). */
function flagSettings(a: ParsedArgs): Partial<TrainConfig> {
  const out: Record<string, unknown> = {};
  for (const [name] of SETTINGS) out[name] = a.number(name);
  for (const f of KIND_FLAGS)
    out[f.name] =
      f.type === 'boolean' ? a.flags.get(f.name) : f.type === 'string' ? a.string(f.name) : a.number(f.name);
  out.bias = a.flags.get('bias');
  out.preset = a.string('preset');
  out.group_by_length = a.flags.get('group_by_length');
  out.beta = a.number('beta');
  out.center_rewards_coefficient = a.number('center_rewards_coefficient');
  Object.assign(out, ppoFlagSettings(a));
  return out as Partial<TrainConfig>;
}
