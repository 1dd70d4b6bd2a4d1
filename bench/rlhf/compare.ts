/**
 * Compares policies (SFT, DPO, PPO) on the same held-out prompts: each samples one response per prompt
 * (temperature 1, the same seed per prompt for every policy), scored by the gold judge the prompt names,
 * by a reward model (--reward), and its KL to the reference (--reference, the SFT model): the mean over
 * responses of log π(y|x) − log π_ref(y|x) summed over the response's tokens. Prints a markdown table and
 * a few samples.
 *
 *   node dist/bench/rlhf/compare.js --prompts prefs/prompts-test.jsonl --reference runs/sft/best \
 *     --reward runs/rm/best --policy sft=runs/sft/best --policy dpo=runs/dpo/best --policy ppo=runs/ppo/best \
 *     --max-tokens 48 --samples 3
 */
import { parseArgs } from 'node:util';
import { chatTemplateFor, replyTo } from '../../src/chat/template.js';
import { judgeByName, judged, type Judge } from '../../src/eval/judges.js';
import { neverSampled } from '../../src/generate/sample.js';
import { GPTModel } from '../../src/models/gpt.js';
import { RewardModel } from '../../src/models/reward.js';
import { noGrad, tidy } from '../../src/tensor/tensor.js';
import { readPromptFile } from '../../src/train/preference-data.js';
import { responseLogProbs } from '../../src/train/preference-losses.js';
import { sampleRollouts } from '../../src/train/rollout.js';
import { Rng } from '../../src/util/rng.js';

const { values } = parseArgs({
  options: {
    prompts: { type: 'string' },
    reference: { type: 'string' },
    reward: { type: 'string' },
    policy: { type: 'string', multiple: true },
    'max-tokens': { type: 'string', default: '48' },
    limit: { type: 'string', default: '200' },
    samples: { type: 'string', default: '3' },
    seed: { type: 'string', default: '7' },
  },
});
if (!values.prompts || !values.reference || !values.policy?.length) {
  process.stderr.write(
    'usage: compare.js --prompts FILE --reference SFT_DIR --policy NAME=DIR ... [--reward RM_DIR]\n',
  );
  process.exit(2);
}
const prompts = readPromptFile(values.prompts).slice(0, Number(values.limit));
const reference = GPTModel.load(values.reference);
const rm = values.reward ? RewardModel.load(values.reward) : undefined;
const judges = new Map<string, Judge>();
for (const p of prompts)
  if (typeof p.meta.judge === 'string' && !judges.has(p.meta.judge))
    judges.set(p.meta.judge, await judgeByName(p.meta.judge));

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const rows: string[] = [];
const shown: string[] = [];
for (const spec of values.policy) {
  const at = spec.lastIndexOf('='); // NAME=DIR; a name may hold '='
  const [name, dir] = [spec.slice(0, at), spec.slice(at + 1)];
  const policy = GPTModel.load(dir);
  const template = chatTemplateFor(policy.tokenizer);
  const end = template.endOfTurn[0];
  const t0 = performance.now();
  const rollouts: ReturnType<typeof sampleRollouts> = [];
  for (let i = 0; i < prompts.length; i += 32) {
    const chunk = prompts.slice(i, i + 32);
    rollouts.push(
      ...sampleRollouts(
        policy,
        chunk.map((p) => template.render(p.prompt, { continueFinal: true })),
        {
          maxTokens: Number(values['max-tokens']),
          stopTokens: [end],
          suppressTokens: neverSampled(policy.tokenizer),
          rngs: chunk.map((_, j) => new Rng(Number(values.seed) + i + j)),
          reserve: 1,
        },
      ),
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  const tokens = rollouts.reduce((n, r) => n + r.response.length, 0);
  const texts = rollouts.map((r, i) =>
    replyTo(
      template,
      prompts[i].prompt,
      policy.tokenizer.decode(r.ended ? r.response.slice(0, -1) : r.response),
    ),
  );
  const gold = prompts.map((p, i) =>
    judged(judges.get(p.meta.judge as string)!, texts[i], p.meta, p.prompt[p.prompt.length - 1].content),
  );
  // exact answers only where the prompts have them (the correctness judge's)
  const referenced = prompts.some((p) => typeof p.meta.reference === 'string');
  const exact = prompts.map((p, i) => (texts[i].trim() === String(p.meta.reference ?? '').trim() ? 1 : 0));
  const seqs = rollouts.map((r) => ({
    ids: Int32Array.from([...r.prompt, ...r.response]),
    start: r.prompt.length,
  }));
  const kl: number[] = [];
  for (let i = 0; i < seqs.length; i += 32) {
    const chunk = seqs.slice(i, i + 32);
    const lp = noGrad(() => tidy(() => Array.from(responseLogProbs(policy.net, chunk).data)));
    const lr = noGrad(() => tidy(() => Array.from(responseLogProbs(reference.net, chunk).data)));
    lp.forEach((x, j) => kl.push(x - lr[j]));
  }
  const rewards = rm
    ? Array.from(rm.score(rollouts.map((r) => [...r.prompt, ...r.response, ...(r.ended ? [] : [end])])))
    : [];
  rows.push(
    `| ${name} | ${mean(gold).toFixed(3)} | ${referenced ? `${(100 * mean(exact)).toFixed(1)}%` : '–'} | ${rm ? mean(rewards).toFixed(3) : '–'} | ${mean(kl).toFixed(3)} | ${(tokens / rollouts.length).toFixed(1)} | ${Math.round(tokens / seconds)} |`,
  );
  for (let i = 0; i < Number(values.samples); i++)
    shown.push(
      `[${name}] ${JSON.stringify(prompts[i].prompt[prompts[i].prompt.length - 1].content)} → ${JSON.stringify(texts[i])} (gold ${gold[i].toFixed(2)})`,
    );
}
process.stdout.write(
  `${prompts.length} prompts of ${values.prompts}, one sample each (temperature 1, seed ${values.seed} + prompt index)\n\n` +
    '| policy | gold score | exact | RM score | KL to reference (nats/response) | response tokens | sampled tokens/s |\n' +
    '| --- | --- | --- | --- | --- | --- | --- |\n' +
    rows.join('\n') +
    '\n\n' +
    shown.join('\n') +
    '\n',
);
