/**
 * Continuous batching (as llama.cpp's server slots and vLLM schedule): every running generation of one
 * model takes a token per step, and the model decodes all of their states in one batched pass when it
 * can (`LanguageModel.decodeGroup`, a GPT); a model without it steps them one at a time, in turn.
 * Generations join and leave between steps, each with its own sampling options, stop strings, token
 * limit, random source and cancel signal, and each gets exactly the text it would get alone
 * (the same {@link TextSequence}). Between steps the event loop runs once, so new requests join,
 * cancels arrive and deltas reach their clients.
 */
import type { DecodeGroup, LanguageModel } from '../lm.js';
import { TextSequence, type StreamOptions, type StreamResult } from './stream.js';

/** Where one generation's output goes. */
export interface GenerationSink {
  /** Whether its reader went away (checked between steps, as `signal`). */
  left?(): boolean;
  /** A text delta (never empty). */
  delta(text: string): void;
  /** The generation ended (its finish reason says how; `cancelled` after its signal aborted). */
  done(result: StreamResult): void;
  /** Stepping it threw (e.g. a bad token id); it has left the batch. */
  error(err: Error): void;
}

interface Running {
  seq: TextSequence;
  state: ReturnType<DecodeGroup['start']>;
  signal?: AbortSignal;
  sink: GenerationSink;
}

/** One model's running generations, stepped together. */
export class ContinuousBatcher {
  private readonly group: DecodeGroup;
  private running: Running[] = [];
  private looping = false;
  /** Steps taken (each advances every running generation by one token). */
  steps = 0;
  /** Generations the last step advanced (its batch size). */
  lastStepSize = 0;
  /** Called after every step with nothing else running (e.g. to send the step's deltas in one message). */
  onStep?: () => void;

  /** Batches generations of `model`. */
  constructor(readonly model: LanguageModel) {
    this.group = model.decodeGroup?.() ?? { start: (prompt) => model.start(prompt), end: () => undefined };
  }

  /** Generations running now. */
  get size(): number {
    return this.running.length;
  }

  /**
   * Starts generating after `prompt`; the sink hears its deltas and how it ended. Throws at once when an
   * option or a prompt token is invalid.
   */
  add(prompt: number[], o: StreamOptions, sink: GenerationSink): void {
    const state = o.state ?? this.group.start(prompt);
    let seq: TextSequence;
    try {
      seq = new TextSequence(this.model, prompt, { ...o, state });
    } catch (err) {
      this.group.end(state);
      throw err;
    }
    this.running.unshift({ seq, state, signal: o.signal, sink }); // newcomers step first: a sooner first token
    if (!this.looping) {
      this.looping = true;
      setImmediate(() => this.loop());
    }
  }

  /** Generates after `prompt` with the others, yielding text deltas; returns how it ended (as `streamText`). */
  async *generate(prompt: number[], o: StreamOptions = {}): AsyncGenerator<string, StreamResult> {
    const deltas: string[] = [];
    let result: StreamResult | undefined;
    let error: Error | undefined;
    let wake: (() => void) | undefined;
    let left = false;
    this.add(prompt, o, {
      left: () => left,
      delta: (text) => (deltas.push(text), wake?.()),
      done: (r) => ((result = r), wake?.()),
      error: (err) => ((error = err), wake?.()),
    });
    try {
      for (;;) {
        while (deltas.length) yield deltas.shift() as string;
        if (error) throw error;
        if (result) return result;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      if (!result && !error) left = true; // the consumer stopped early: leave at the next step
    }
  }

  /** Steps until nothing runs, yielding to the event loop between steps. */
  private async loop(): Promise<void> {
    while (this.running.length) {
      this.step();
      this.onStep?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.looping = false;
  }

  /** One token for every running generation (their states decode together on the first read). */
  private step(): void {
    this.steps++;
    const ended = new Set<Running>();
    // cancelled ones leave before the step, so the batched pass does not compute them
    for (const r of this.running) {
      if (r.signal?.aborted || r.sink.left?.()) {
        ended.add(r);
        this.group.end(r.state);
        r.sink.done(r.seq.cancel());
      }
    }
    this.lastStepSize = this.running.length - ended.size;
    for (const r of this.running) {
      if (ended.has(r)) continue;
      try {
        const delta = r.seq.step();
        if (delta) r.sink.delta(delta);
        if (r.seq.result) {
          ended.add(r);
          r.sink.done(r.seq.result);
        }
      } catch (err) {
        ended.add(r);
        r.seq.cancel();
        r.sink.error(err as Error);
      }
    }
    if (ended.size) {
      for (const r of ended) this.group.end(r.state);
      this.running = this.running.filter((r) => !ended.has(r));
    }
  }
}
