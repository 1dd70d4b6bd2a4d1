/**
 * Runs the choices of one request through the model's continuous batcher (in a worker, or on this
 * thread): each prompt × `n` samples, with the request's sampling parameters, the template's end-of-turn
 * tokens and the client's cancel signal; other requests' generations share its decoding steps.
 * Records tokens, time to first token and tokens/s in the metrics.
 */
import { ContinuousBatcher } from '../generate/continuous.js';
import type { FinishReason, StreamOptions } from '../generate/stream.js';
import type { LanguageModel } from '../lm.js';
import type { Metrics } from './metrics.js';
import type { ServedModel } from './models.js';
import type { WorkerPool } from './worker-pool.js';
import type { GenerationParams } from './validate.js';

/** One prompt to continue: its tokens, and the tokens its text ends with (to space the first delta). */
export interface ChoiceInput {
  prompt: number[];
  context: number[];
}

/** A piece of text for one choice. */
export interface ChoiceDelta {
  index: number;
  /** Set on the first delta of a choice. */
  first: boolean;
  text: string;
}

/** How one choice ended. */
export interface ChoiceResult {
  index: number;
  text: string;
  finishReason: 'stop' | 'length';
  completionTokens: number;
}

/** Every choice of a request, with token counts; `cancelled` when the client went away. */
export interface GenerationOutcome {
  choices: ChoiceResult[];
  promptTokens: number;
  completionTokens: number;
  cancelled: boolean;
}

/**
 * Generates every choice in turn, yielding deltas. `started` is when the request arrived (performance.now);
 * `minTokens` keeps a chat reply from ending before it begins. Models the worker pool holds generate there.
 */
export async function* generateChoices(
  served: ServedModel,
  inputs: ChoiceInput[],
  params: GenerationParams,
  env: { signal: AbortSignal; metrics: Metrics; started: number; minTokens?: number; pool?: WorkerPool },
): AsyncGenerator<ChoiceDelta, GenerationOutcome> {
  const labels = { model: served.id };
  const choices: ChoiceResult[] = [];
  let promptTokens = 0;
  let cancelled = false;
  let index = 0;
  let firstOfRequest = true;
  for (const input of inputs) {
    promptTokens += input.prompt.length;
    for (let j = 0; j < params.n && !cancelled; j++, index++) {
      const s = params.sampling;
      const options: StreamOptions = {
        ...s,
        suppressTokens: served.suppressTokens,
        minTokens: Math.max(s.minTokens ?? 0, env.minTokens ?? 0),
        seed: s.seed === undefined ? undefined : s.seed + index,
        stop: params.stop,
        stopTokens: served.template.endOfTurn,
        signal: env.signal,
        context: input.context,
      };
      const stream = env.pool?.has(served.id)
        ? env.pool.generate(served.id, input.prompt, options)
        : batcherFor(served.model).generate(input.prompt, options);
      let firstAt = 0;
      let first = true;
      let reason: FinishReason;
      let tokens: number;
      let text: string;
      for (;;) {
        const r = await stream.next();
        if (r.done) {
          ({ finishReason: reason, completionTokens: tokens, text } = r.value);
          break;
        }
        if (first) {
          firstAt = performance.now();
          if (firstOfRequest) env.metrics.ttft.observe((firstAt - env.started) / 1000, labels);
          firstOfRequest = false;
        }
        yield { index, first, text: r.value };
        first = false;
      }
      env.metrics.completionTokens.inc(labels, tokens);
      if (tokens > 1 && firstAt > 0) {
        const seconds = (performance.now() - firstAt) / 1000;
        if (seconds > 0) env.metrics.tokensPerSecond.observe((tokens - 1) / seconds, labels);
      }
      if (reason === 'cancelled') {
        cancelled = true;
        env.metrics.cancelled.inc(labels);
      }
      choices.push({
        index,
        text,
        finishReason: reason === 'length' ? 'length' : 'stop',
        completionTokens: tokens,
      });
    }
  }
  env.metrics.promptTokens.inc(labels, promptTokens);
  const completionTokens = choices.reduce((t, c) => t + c.completionTokens, 0);
  return { choices, promptTokens, completionTokens, cancelled };
}

/** Each model's batcher on this thread (models the worker pool holds are batched there). */
const batchers = new WeakMap<LanguageModel, ContinuousBatcher>();

/** The batcher of generations of `model` on this thread. */
function batcherFor(model: LanguageModel): ContinuousBatcher {
  let b = batchers.get(model);
  if (!b) batchers.set(model, (b = new ContinuousBatcher(model)));
  return b;
}
