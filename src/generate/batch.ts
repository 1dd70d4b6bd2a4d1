/**
 * Several prompts generated together. A model that can start states decoded together (a GPT:
 * `startBatch`, one pass for every sequence's new token) advances them in lockstep; any other model
 * runs the same loop one state at a time. Each sequence streams, stops and counts on its own.
 */
import type { DecoderState, LanguageModel } from '../lm.js';
import { Rng } from '../util/rng.js';
import { streamText, type StreamOptions, type StreamResult } from './stream.js';

/** A language model that may also start several states decoded in one batched pass. */
export type BatchableModel = LanguageModel & { startBatch?(prompts: readonly number[][]): DecoderState[] };

/** Options for {@link generateBatch}: the sampling and stop options shared by every sequence. */
export interface BatchOptions extends Omit<StreamOptions, 'rng' | 'state' | 'context'> {
  /** Each sequence's random source (default: from seed + index and its prompt when `seed` is set, else fresh). */
  rngs?: Rng[];
  /** Receives each sequence's text deltas as they come. */
  onDelta?(index: number, delta: string): void;
}

/** Generates after each prompt (token ids), all at once; returns each sequence's result in order. */
export async function generateBatch(
  model: BatchableModel,
  prompts: readonly number[][],
  o: BatchOptions = {},
): Promise<StreamResult[]> {
  const states = model.startBatch ? model.startBatch(prompts) : prompts.map((p) => model.start([...p]));
  const rngs =
    o.rngs ?? prompts.map((p, i) => Rng.forPrompt(o.seed === undefined ? undefined : o.seed + i, p));
  // every stream waits a turn of the event loop between tokens, so the streams advance in lockstep and
  // the first state asked for its next token computes the whole batch's
  return Promise.all(
    prompts.map(async (prompt, i) => {
      const stream = streamText(model, [...prompt], {
        ...o,
        context: prompt,
        rng: rngs[i],
        state: states[i],
      });
      for (;;) {
        const r = await stream.next();
        if (r.done) return r.value;
        o.onDelta?.(i, r.value);
      }
    }),
  );
}
