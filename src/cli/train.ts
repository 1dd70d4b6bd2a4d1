/** `lmkit train`: train a neural language model (a GPT, an NPLM or a character RNN) on a dataset or text file. */
import { UsageError } from '../errors.js';
import { DEFAULT_KIND, MODEL_KINDS, modelKind } from '../models/kinds.js';
import { DEFAULT_TRAIN_CONFIG, readTrainConfigFile, type TrainConfig } from '../train/config.js';
import { pretrain } from '../train/pretrain.js';
import { PRESETS } from '../train/presets.js';
import { isSFTRun, trainSFT } from '../train/sft.js';
import { trainDPO } from '../train/dpo.js';
import { trainReward } from '../train/reward.js';
import { runObjective } from '../train/checkpoint.js';
import { PPO_FLAGS, ppoFlagSettings, runPPO } from './train-ppo.js';
import { ProgressBar } from '../util/progress.js';
import type { CommandGroup, FlagSpec, ParsedArgs } from './args.js';
import type { RunInfo } from '../train/checkpoint.js';
import type { EvalRecord } from '../train/loop.js';

/** What a training run reports before its first step. */
interface StartInfo {
  run: RunInfo;
  trainTokens: number;
  validTokens: number;
  parameters: number;
  note?: string;
}

const SETTINGS: [string & keyof TrainConfig, 'integer' | 'number', string][] = [
  ['n_layer', 'integer', 'transformer blocks (RNN: stacked recurrent layers, default 1)'],
  ['n_head', 'integer', 'attention heads per block'],
  ['n_embd', 'integer', 'embedding width (a multiple of n_head)'],
  ['block_size', 'integer', 'context length in tokens'],
  ['batch_size', 'integer', 'windows per step'],
  ['learning_rate', 'number', 'peak learning rate'],
  ['max_iters', 'integer', 'optimizer steps'],
  ['warmup_iters', 'integer', 'steps of linear warmup'],
  ['lr_decay_iters', 'integer', 'step where cosine decay reaches min_lr (default max_iters)'],
  ['min_lr', 'number', 'final learning rate'],
  ['dropout', 'number', 'dropout probability'],
  ['weight_decay', 'number', 'AdamW weight decay (weights and embeddings only)'],
  ['beta1', 'number', 'AdamW β1'],
  ['beta2', 'number', 'AdamW β2'],
  ['grad_clip', 'number', 'clip the gradient norm to this (0: off)'],
  ['eval_interval', 'integer', 'evaluate and save every this many steps'],
  ['eval_iters', 'integer', 'batches per evaluation'],
  ['patience', 'integer', 'stop after this many evaluations without a better validation loss (0: never)'],
  ['seed', 'integer', 'random seed (initialization and data order)'],
];

/** Each kind's own settings as flags (one flag per name; a name two kinds share lists both meanings). */
const KIND_FLAGS: FlagSpec[] = (() => {
  const byName = new Map<string, FlagSpec>();
  for (const kind of MODEL_KINDS.values())
    for (const s of kind.settings) {
      const label = `${kind.name.toUpperCase()}: ${s.description}`;
      const seen = byName.get(s.name);
      if (seen) seen.description += `; ${label}`;
      else
        byName.set(s.name, {
          name: s.name,
          type: s.type,
          ...(s.choices ? { choices: [...s.choices] } : {}),
          ...(s.type === 'integer' || s.type === 'number' ? { min: 0 } : {}),
          description: label,
        });
    }
  return [...byName.values()];
})();

const SETTING_FLAGS: FlagSpec[] = SETTINGS.map(([name, type, description]) => ({
  name,
  type,
  min: 0,
  description:
    name in DEFAULT_TRAIN_CONFIG && !description.includes('(default')
      ? `${description} (default ${String(DEFAULT_TRAIN_CONFIG[name])})`
      : description,
}));

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

/** The train command. */
export const TRAIN: CommandGroup = {
  name: 'train',
  summary: 'train a neural language model (GPT, NPLM or character RNN) on a dataset or text file',
  command: {
    name: 'train',
    summary: 'train a neural language model (GPT, NPLM or character RNN) on a dataset or text file',
    details:
      "Settings use nanoGPT's names; defaults are nanoGPT's laptop-CPU character model. A --config JSON file\n" +
      'sets any of them and flags override it; the resolved settings are saved in the checkpoint.\n' +
      'A GPT or RNN reads a text file as written (every character, as nanoGPT); --sentences re-flows it into one\n' +
      'sentence per line, as an NPLM and a word tokenizer read it and as Brown comes; the start says which, and\n' +
      'eval, generate and serve prepare text the same way. The last 10% validates unless --valid. --out DIR receives the\n' +
      'latest checkpoint (config.json, model.safetensors, tokenizer.json, train_state.*), metrics.jsonl, and\n' +
      'best/ with the model of the lowest validation loss. Ctrl-C saves a checkpoint; --resume DIR continues it.\n' +
      '--model nplm is Bengio et al. (2003): --order n (block_size becomes n − 1), --n_embd m, --n_hidden h,\n' +
      '--direct; with --tokenizer word each sentence ends in </s>, which also pads the first contexts.\n' +
      '--model rnn is the classic Keras character RNN: embedding --n_embd 50, --n_layer 1 of --cell gru (or lstm)\n' +
      'with --n_hidden 150 units, --dropout 0.1 and --recurrent_dropout 0.1, windows of --block_size 30, batch 64,\n' +
      'Adam at a constant 1e-3 (β2 0.999, no weight decay) and --patience 3; flags override these defaults.\n' +
      '--objective sft --init DIR fine-tunes a GPT checkpoint on --data FILE.jsonl conversations (TRL messages or\n' +
      'prompt/completion) with loss on assistant tokens only; every 10th conversation validates unless --valid.\n' +
      '--objective reward --init DIR learns a reward model from --data prefs.jsonl (TRL pairs {prompt, chosen,\n' +
      "rejected} or rankings {prompt, responses, ranking}) with InstructGPT's loss over all pairs of a ranking;\n" +
      "afterwards the SFT demonstrations (--demos, default the --init SFT run's data) get mean reward 0.\n" +
      '--objective dpo --init SFT_DIR optimises the policy on the same data by DPO (--beta 0.1; reference: --init).\n' +
      "--objective ppo --init SFT_DIR --reward RM_DIR --data prompts.jsonl runs RLHF's PPO (TRL's defaults; --batch_size\n" +
      'responses per step, KL penalty against --init, value model from the reward model, GAE, clipped losses).',
    json: true,
    flags: [
      {
        name: 'model',
        type: 'string',
        choices: [...MODEL_KINDS.keys()],
        description:
          "model kind (default gpt; on resume: the run's): " +
          [...MODEL_KINDS.values()].map((k) => `${k.name}, ${k.summary}`).join('; '),
      },
      {
        name: 'clean',
        type: 'boolean',
        description: "classic cleaning: lowercase, letters only, words of 3+ letters (on resume: the run's)",
      },
      {
        name: 'sentences',
        type: 'boolean',
        negatable: true,
        description:
          're-flow the text into one sentence per line (default for NPLM and word tokenizers; GPT and RNN read a file as written)',
      },
      { name: 'data', type: 'string', value: 'NAME_OR_FILE', description: 'dataset name or text file' },
      {
        name: 'split',
        type: 'string',
        choices: ['train', 'valid', 'test', 'all'],
        description:
          "train on this split of the data; with train, the data's valid split validates if it has one",
      },
      { name: 'valid', type: 'string', value: 'FILE', description: 'validation text (default: last 10%)' },
      {
        name: 'tokenizer',
        type: 'string',
        value: 'char|word|gpt2|FILE',
        description:
          "characters of the corpus, its words (<unk> for unseen ones), GPT-2's BPE, or a tokenizer file (default char)",
      },
      { name: 'config', type: 'string', value: 'FILE', description: 'JSON file of settings' },
      ...SETTING_FLAGS,
      ...KIND_FLAGS,
      {
        name: 'preset',
        type: 'string',
        choices: Object.keys(PRESETS),
        description:
          'GPT size preset replacing the defaults (config and flags still override): ' +
          Object.keys(PRESETS).join(', '),
      },
      {
        name: 'bias',
        type: 'boolean',
        negatable: true,
        description: 'biases in linear layers and norms (default on; --no-bias: none)',
      },
      { name: 'out', type: 'string', value: 'DIR', description: 'run directory (default: the --resume one)' },
      { name: 'resume', type: 'string', value: 'DIR', description: 'continue the run saved in DIR' },
      {
        name: 'max-time',
        type: 'number',
        min: 0,
        value: 'SECONDS',
        description:
          'stop after this many seconds of wall-clock time (this invocation), evaluating and saving first, as at max_iters',
      },
      {
        name: 'objective',
        type: 'string',
        choices: ['lm', 'sft', 'reward', 'dpo', 'ppo'],
        description:
          'lm: next-token pretraining on text (default); sft: fine-tune --init on JSONL conversations; ' +
          'reward: a reward model on preference JSONL; dpo: direct preference optimisation of --init; ' +
          'ppo: PPO of --init against --reward (or --reward-judge) on prompt JSONL',
      },
      ...PPO_FLAGS,
      {
        name: 'demos',
        type: 'string',
        value: 'FILE',
        description: "reward: SFT conversations whose mean reward is set to 0 (default: --init's SFT data)",
      },
      {
        name: 'center_rewards_coefficient',
        type: 'number',
        min: 0,
        description: "reward: TRL's centering term c · mean (r_w + r_l)² (default 0: off)",
      },
      {
        name: 'beta',
        type: 'number',
        min: 0,
        description: 'dpo: β, the KL strength of the implicit reward (default 0.1)',
      },
      {
        name: 'group_by_length',
        type: 'boolean',
        description: 'SFT: batches of conversations of similar length (less padding)',
      },
      {
        name: 'init',
        type: 'string',
        value: 'DIR',
        description: 'sft, reward, dpo: the GPT checkpoint to start from',
      },
    ],
    positionals: [],
    async run(a, io) {
      const resume = a.string('resume');
      const out = a.string('out') ?? resume;
      if (!out) throw new UsageError('--out DIR is required (where the checkpoint goes)');
      if (!a.string('data') && !resume) throw new UsageError('--data NAME_OR_FILE is required');
      const file = a.string('config');
      const controller = new AbortController();
      const onSigint = () => {
        if (controller.signal.aborted) process.exit(130);
        io.stderr.write('\nlmkit: interrupted; saving a checkpoint (Ctrl-C again to quit now)\n');
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      let bar: ProgressBar | undefined;
      let lastLoss = NaN;
      let started: { parameters: number; trainTokens: number } | undefined;
      try {
        const objective =
          a.string('objective') ??
          (resume === undefined ? 'lm' : isSFTRun(resume) ? 'sft' : (runObjective(resume) ?? 'lm'));
        const sft = objective === 'sft';
        const fromInit = objective !== 'lm';
        if (!fromInit && a.string('init'))
          throw new UsageError('--init is for --objective sft, reward or dpo');
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
        const summary = await (objective === 'reward'
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
        if (!a.json && objective === 'reward')
          io.stderr.write(
            `held-out pairwise accuracy ${(extra.valid_accuracy as number).toFixed(4)} (best model ${(extra.best_valid_accuracy as number).toFixed(4)}); ` +
              `reward offset ${(extra.reward_offset as number).toFixed(4)} makes the mean reward of ${extra.demonstrations as number} demonstrations 0\n`,
          );
        return summary.stopped === 'interrupted' ? 130 : 0;
      } finally {
        process.off('SIGINT', onSigint);
      }
    },
  },
};
