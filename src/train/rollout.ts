/**
 * Rollouts for PPO: each prompt's response sampled from the policy with the batched KV-cache decoder
 * (`startBatch`, one pass per token for every unfinished response) and the sampler of `lmkit generate`
 * (`sampleToken`), keeping the token ids. A response ends at the end of its turn (that token is part of
 * it) or at `maxTokens`, or where the context is full.
 */
import type { DecoderState } from '../lm.js';
import type { GPTModel } from '../models/gpt.js';
import { sampleToken } from '../generate/sample.js';
import type { Rng } from '../util/rng.js';

/** A prompt and the response sampled after it. */
export interface Rollout {
  /** The prompt's token ids after the model's start tokens (prefix + chat template). */
  prompt: number[];
  /** The response's token ids (the end-of-turn token included when it was sampled). */
  response: number[];
  /** Whether the response ended its turn (else it was cut at the token limit). */
  ended: boolean;
}

/** What to sample with. */
export interface RolloutOptions {
  maxTokens: number;
  /** Tokens that end a response (end of turn, end of sequence). */
  stopTokens: readonly number[];
  /** Tokens never sampled (the unknown-word token). */
  suppressTokens: readonly number[];
  /** One random source per prompt. */
  rngs: Rng[];
  /** Positions of the context kept free after the response (default 0). */
  reserve?: number;
}

/** Samples one response per prompt (prompt ids without the model's start tokens), all decoded together. */
export function sampleRollouts(model: GPTModel, prompts: readonly number[][], o: RolloutOptions): Rollout[] {
  const states: DecoderState[] = model.startBatch(prompts.map((p) => [...p]));
  const stops = new Set(o.stopTokens);
  const out: Rollout[] = prompts.map((p) => ({
    prompt: [...model.prefix, ...p],
    response: [],
    ended: false,
  }));
  const room = (i: number) =>
    Math.min(o.maxTokens, model.config.block_size - (o.reserve ?? 0) - out[i].prompt.length);
  let active = prompts.map((_, i) => i).filter((i) => room(i) > 0);
  while (active.length) {
    const picked = active.map((i) =>
      sampleToken(states[i].logProbs(), { suppressTokens: o.suppressTokens }, o.rngs[i]),
    );
    const next: number[] = [];
    active.forEach((i, j) => {
      const t = picked[j];
      if (t < 0) return;
      out[i].response.push(t);
      if (stops.has(t)) out[i].ended = true;
      else if (out[i].response.length < room(i)) {
        states[i].push(t);
        next.push(i);
      }
    });
    active = next;
  }
  return out;
}
