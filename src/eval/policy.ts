/**
 * A policy (a chat GPT: SFT, DPO or PPO) on judged prompts, as InstructGPT-style papers report it: one
 * response per prompt sampled at temperature 1 (seed + prompt index, so every policy gets the same random
 * numbers), scored by the programmatic judge the prompt names (its gold score), and its KL to a reference
 * policy (normally the SFT model): the mean over responses of log π(y|x) − log π_ref(y|x) summed over the
 * response's tokens, an estimate of KL(π‖π_ref) per response in nats. Prompts are the JSONL that
 * `lmkit data build-preferences` writes for PPO (prompts-test.jsonl: a prompt, its judge and reference).
 * Any chat model's decoding state serves (the responses are sampled token by token); bench/rlhf/compare.ts
 * measures the same on GPTs with batched rollouts.
 */
import { chatTemplateFor } from '../chat/template.js';
import { LmkitError } from '../errors.js';
import { neverSampled, sampleToken } from '../generate/sample.js';
import type { LanguageModel } from '../lm.js';
import { readPromptFile } from '../train/preference-data.js';
import { Rng } from '../util/rng.js';
import { judgeByName, judged, type Judge } from './judges.js';

/** How a policy did on the prompts. */
export interface PolicyScores {
  prompts: number;
  /** Mean gold score (the judges' scale: correctness is 1 for the reference answer, 0 otherwise). */
  gold: number;
  /** Share of responses equal to the prompt's reference answer (trimmed). */
  exact: number;
  /** Mean KL to the reference per response, nats (absent without a reference). */
  kl?: number;
  /** Mean response length in tokens. */
  response_tokens: number;
  /** The first few prompts' responses, for a reader to see. */
  samples: { prompt: string; response: string; gold: number }[];
}

/** What to sample. */
export interface PolicyEvalOptions {
  reference?: LanguageModel;
  maxTokens: number;
  seed: number;
  /** At most this many prompts (the first of the file). */
  limit?: number;
}

/** One response of `model` to `prompt` (token ids) at temperature 1, with log π of each of its tokens. */
function respond(
  model: LanguageModel,
  prompt: number[],
  stop: number,
  maxTokens: number,
  rng: Rng,
): { tokens: number[]; logProbs: number[]; ended: boolean } {
  const state = model.start(prompt);
  const suppressTokens = neverSampled(model.tokenizer);
  const tokens: number[] = [];
  const logProbs: number[] = [];
  const room = Math.min(maxTokens, model.contextLength - prompt.length - 1);
  for (let t = 0; t < room; t++) {
    const lp = state.logProbs();
    const token = sampleToken(lp, { suppressTokens }, rng);
    tokens.push(token);
    logProbs.push(lp[token]);
    if (token === stop) return { tokens, logProbs, ended: true };
    state.push(token);
  }
  return { tokens, logProbs, ended: false };
}

/** log π_ref of each token of `response` after `prompt`, summed. */
function responseLogProb(model: LanguageModel, prompt: number[], response: number[]): number {
  const state = model.start(prompt);
  let sum = 0;
  response.forEach((token, t) => {
    sum += state.logProbs()[token];
    if (t < response.length - 1) state.push(token);
  });
  return sum;
}

/** Samples `policy` once on each judged prompt of `path` and scores the responses (gold, exact, KL). */
export async function scorePolicy(
  policy: LanguageModel,
  path: string,
  o: PolicyEvalOptions,
): Promise<PolicyScores> {
  const prompts = readPromptFile(path).slice(0, o.limit);
  if (!prompts.length) throw new LmkitError(`${path} holds no prompts`);
  const judges = new Map<string, Judge>();
  for (const p of prompts) {
    const name = p.meta.judge;
    if (typeof name !== 'string')
      throw new LmkitError(`${path} line ${p.line} names no judge`, {
        hint: 'score a policy on the prompts lmkit data build-preferences writes (prompts-test.jsonl)',
      });
    if (!judges.has(name)) judges.set(name, await judgeByName(name));
  }
  const template = chatTemplateFor(policy.tokenizer);
  const stop = template.endOfTurn[0];
  const sum = { gold: 0, exact: 0, kl: 0, tokens: 0 };
  const samples: PolicyScores['samples'] = [];
  prompts.forEach((p, i) => {
    const ids = template.render(p.prompt);
    const r = respond(policy, ids, stop, o.maxTokens, new Rng(o.seed + i));
    const text = template.parseReply(policy.tokenizer.decode(r.ended ? r.tokens.slice(0, -1) : r.tokens));
    const asked = p.prompt[p.prompt.length - 1].content;
    const gold = judged(judges.get(p.meta.judge as string) as Judge, text, p.meta, asked);
    sum.gold += gold;
    sum.exact += text.trim() === String(p.meta.reference ?? '').trim() ? 1 : 0;
    sum.tokens += r.tokens.length;
    if (o.reference)
      sum.kl += r.logProbs.reduce((a, x) => a + x, 0) - responseLogProb(o.reference, ids, r.tokens);
    if (samples.length < 3) samples.push({ prompt: asked, response: text, gold });
  });
  const n = prompts.length;
  return {
    prompts: n,
    gold: sum.gold / n,
    exact: sum.exact / n,
    ...(o.reference ? { kl: sum.kl / n } : {}),
    response_tokens: sum.tokens / n,
    samples,
  };
}
