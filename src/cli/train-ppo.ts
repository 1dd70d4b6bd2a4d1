/** `lmkit train --objective ppo`: its flags and its progress and summary output (the run is train/ppo.ts). */
import { JUDGE_NAMES } from '../eval/judges.js';
import { trainPPO } from '../train/ppo.js';
import type { TrainConfig } from '../train/config.js';
import { ProgressBar } from '../util/progress.js';
import type { CliIO, FlagSpec, ParsedArgs } from './args.js';

/** PPO's settings as flags (TRL's names); each becomes a config key of the run. */
const PPO_SETTINGS: [string, 'integer' | 'number' | 'string', string][] = [
  ['kl_coef', 'number', 'β of the per-token KL penalty against the --init model (default 0.05)'],
  [
    'kl_estimator',
    'string',
    'k1 (log π/π_ref) or k3 ((r − 1) − log r), the KL estimate per token (default k1)',
  ],
  ['target_kl', 'number', "adaptive β: Ziegler et al.'s controller steers the KL per response to this"],
  ['kl_horizon', 'integer', 'adaptive β: the controller horizon in responses (default 10000)'],
  ['cliprange', 'number', 'ε of the clipped surrogate (default 0.2)'],
  ['cliprange_value', 'number', 'ε of the clipped value loss (default 0.2)'],
  ['vf_coef', 'number', 'weight of the value loss (default 0.1)'],
  ['gamma', 'number', 'discount γ (default 1)'],
  ['lam', 'number', 'GAE λ (default 0.95)'],
  ['num_ppo_epochs', 'integer', 'passes over each rollout batch (default 4)'],
  ['num_mini_batches', 'integer', 'minibatches per pass (default 2)'],
  ['response_length', 'integer', 'longest response sampled, in tokens (default 53)'],
  ['ptx_coef', 'number', 'PPO-ptx: weight of the next-token loss on --ptx-data (default 1)'],
];

/** The flags PPO adds to `lmkit train`. */
export const PPO_FLAGS: FlagSpec[] = [
  {
    name: 'reward',
    type: 'string',
    value: 'RM_DIR',
    description: 'ppo: the reward model (lmkit train --objective reward)',
  },
  {
    name: 'ptx-data',
    type: 'string',
    value: 'TEXT',
    description: "ppo: pretraining text (file or dataset) for PPO-ptx's language-modelling term",
  },
  {
    name: 'reward-judge',
    type: 'string',
    choices: [...JUDGE_NAMES],
    description: 'ppo: a programmatic judge as the reward instead of a reward model',
  },
  ...PPO_SETTINGS.map(([name, type, description]) => ({
    name,
    type,
    ...(type === 'string' ? { choices: name === 'kl_estimator' ? ['k1', 'k3'] : undefined } : { min: 0 }),
    description: `ppo: ${description}`,
  })),
];

/** The PPO settings given as flags. */
export function ppoFlagSettings(a: ParsedArgs): Partial<TrainConfig> {
  const out: Record<string, unknown> = {};
  for (const [name, type] of PPO_SETTINGS) out[name] = type === 'string' ? a.string(name) : a.number(name);
  return out as Partial<TrainConfig>;
}

/** Runs PPO with the common training options; prints progress, evaluations and the summary. */
export async function runPPO(
  a: ParsedArgs,
  io: CliIO,
  common: {
    data?: string;
    valid?: string;
    settings: Partial<TrainConfig>[];
    out: string;
    resume?: string;
    signal: AbortSignal;
    maxSeconds?: number;
  },
): Promise<number> {
  let bar: ProgressBar | undefined;
  let parameters: number | null = null;
  const summary = await trainPPO({
    ...common,
    init: a.string('init'),
    reward: a.string('reward'),
    rewardJudge: a.string('reward-judge'),
    ptxData: a.string('ptx-data'),
    onStart: ({ run, parameters: p, note }) => {
      parameters = p;
      io.stderr.write(
        `PPO on a GPT of ${(p / 1e6).toFixed(2)}M parameters (policy and value model), ${run.max_iters} steps of ${run.batch_size} responses\n${note}\n`,
      );
      bar = io.isTTY ? new ProgressBar(io.stderr, 'ppo', run.max_iters, 'steps') : undefined;
    },
    onStep: (step, m) =>
      bar?.update(
        step,
        `reward ${m.reward.toFixed(3)} kl ${m.kl.toFixed(3)}${m.gold === undefined ? '' : ` gold ${m.gold.toFixed(3)}`} ` +
          `${Math.round(m.rollout_tokens_per_s)} rollout tok/s`,
      ),
    onEval: (step, m, improved) => {
      bar?.done();
      io.stderr.write(
        `step ${step}: held-out reward ${m.valid_reward.toFixed(4)}, KL ${m.valid_kl.toFixed(4)}` +
          (m.valid_gold === undefined ? '' : `, gold ${m.valid_gold.toFixed(4)}`) +
          `, reward − β·KL ${m.valid_objective.toFixed(4)}${improved ? ' (best)' : ''}\n`,
      );
    },
  });
  bar?.done();
  const result = {
    steps: summary.steps,
    seconds: Number(summary.seconds.toFixed(2)),
    stopped: summary.stopped,
    out: summary.out,
    best: summary.best,
    parameters,
    ...summary.metrics,
  };
  if (a.json) io.stdout.write(JSON.stringify(result) + '\n');
  else
    io.stderr.write(
      `${summary.stopped === 'done' ? 'trained' : summary.stopped === 'time' ? 'stopped at --max-time after' : 'interrupted after'} ${summary.steps} PPO steps in ${summary.seconds.toFixed(1)} s; ` +
        `checkpoint in ${summary.out}, best policy in ${summary.best}\n`,
    );
  return summary.stopped === 'interrupted' ? 130 : 0;
}
