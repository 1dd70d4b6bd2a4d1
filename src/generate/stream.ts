/**
 * Streaming generation: the tokens a model samples become text deltas as they come. A delta never
 * splits a UTF-8 character (a byte-level tokenizer may decode a lone token to U+FFFD; such text is held
 * back until the character completes), stop strings end the text even when they span tokens and are
 * never emitted, and an AbortSignal cancels between two tokens.
 */
import type { DecoderState, LanguageModel } from '../lm.js';
import { Rng } from '../util/rng.js';
import { generateTokens, validateSampling, type SamplingOptions } from './sample.js';

/** Why generation ended: a stop string, stop token or end of sequence; the token limit; or a cancel. */
export type FinishReason = 'stop' | 'length' | 'cancelled';

/** Options for {@link streamText}. */
export interface StreamOptions extends SamplingOptions {
  /** Strings that end the text (the match and what follows are not emitted). */
  stop?: readonly string[];
  /** Cancels generation between two tokens. */
  signal?: AbortSignal;
  /** Tokens just before the generated ones (the prompt), so the first delta is spaced as in context. */
  context?: readonly number[];
  /** The random source (default: a new one from `seed`). */
  rng?: Rng;
  /** A decoding state already started on `prompt` (one of a batch); default: `model.start(prompt)`. */
  state?: DecoderState;
}

/** How a stream ended. */
export interface StreamResult {
  finishReason: FinishReason;
  /** Tokens the model generated (a stop token counts; end of sequence does not). */
  completionTokens: number;
  /** The whole text emitted. */
  text: string;
}

const DEFAULT_MAX_TOKENS = 256;

/** Generates after `prompt`, yielding text deltas; returns why and after how many tokens it stopped. */
export async function* streamText(
  model: LanguageModel,
  prompt: number[],
  o: StreamOptions = {},
): AsyncGenerator<string, StreamResult> {
  const seq = new TextSequence(model, prompt, o);
  try {
    for (;;) {
      const delta = seq.step();
      if (delta) yield delta;
      if (seq.result) return seq.result;
      await new Promise((resolve) => setImmediate(resolve));
      if (o.signal?.aborted) return seq.cancel();
    }
  } finally {
    seq.cancel();
  }
}

/**
 * One sequence generated a token per {@link step}, synchronously: sampling, text deltas, stop strings and
 * stop tokens as {@link streamText} (which is a loop over it). Several of them step in turn when their
 * states are decoded together (continuous batching); each gives exactly the text it gives alone.
 */
export class TextSequence {
  /** How it ended; null while it runs. */
  result: StreamResult | null = null;
  private readonly limit: number;
  private readonly decoder: IncrementalDecoder;
  private readonly stops: StopMatcher;
  private readonly stopTokens: Set<number>;
  private readonly tokens: Generator<number>;
  private count = 0;
  private text = '';

  /** Starts after `prompt` (on `o.state` when given); throws when a sampling option is out of bounds. */
  constructor(model: LanguageModel, prompt: number[], o: StreamOptions = {}) {
    validateSampling(o);
    this.limit = o.maxTokens ?? DEFAULT_MAX_TOKENS;
    // an answer (an encoder–decoder's) does not follow the prompt's tokens: it is decoded on its own
    this.decoder = new IncrementalDecoder(model, model.generates === 'answer' ? [] : (o.context ?? []));
    this.stops = new StopMatcher(o.stop ?? []);
    this.stopTokens = new Set(o.stopTokens ?? []);
    this.tokens = generateTokens(
      model,
      prompt,
      { ...o, maxTokens: this.limit },
      o.rng ?? Rng.forPrompt(o.seed, prompt),
      o.state ?? model.start(prompt),
    );
  }

  /** Samples the next token; returns the text it completes (may be empty) and sets `result` when the sequence ends. */
  step(): string {
    if (this.result) return '';
    const next = this.tokens.next();
    if (next.done) {
      const { text: rest, stopped } = this.stops.push(this.decoder.flush());
      const tail = stopped ? rest : rest + this.stops.flush();
      this.text += tail;
      this.finish(stopped || this.count < this.limit ? 'stop' : 'length');
      return tail;
    }
    this.count++;
    if (this.stopTokens.has(next.value)) {
      this.finish('stop');
      return '';
    }
    const { text: delta, stopped } = this.stops.push(this.decoder.push(next.value));
    this.text += delta;
    if (stopped) this.finish('stop');
    return delta;
  }

  /** Ends the sequence as cancelled, unless it has ended; returns how it ended. */
  cancel(): StreamResult {
    if (!this.result) this.finish('cancelled');
    return this.result as StreamResult;
  }

  private finish(finishReason: FinishReason): void {
    this.result = { finishReason, completionTokens: this.count, text: this.text };
    this.tokens.return(undefined);
  }
}

/**
 * Turns tokens into text one at a time. It decodes a short window of recent tokens and emits what the
 * newest token added, so tokenizers whose pieces depend on their neighbours (spaces between words,
 * bytes of one character) come out as a whole decode would; text ending in U+FFFD waits for more.
 */
export class IncrementalDecoder {
  private readonly ids: number[];
  private prefix: number;
  private read: number;

  /** Starts after `context` tokens, which are never emitted. */
  constructor(
    private readonly model: Pick<LanguageModel, 'tokenizer'>,
    context: readonly number[],
  ) {
    this.ids = context.slice(-4);
    this.prefix = 0;
    this.read = this.ids.length;
  }

  /** Adds a token; returns the text it completes (may be empty). */
  push(token: number): string {
    this.ids.push(token);
    const tok = this.model.tokenizer;
    const before = tok.decode(this.ids.slice(this.prefix, this.read));
    const after = tok.decode(this.ids.slice(this.prefix));
    if (after.length <= before.length || after.endsWith('\uFFFD')) return '';
    this.prefix = this.read;
    this.read = this.ids.length;
    if (this.prefix > 64) this.compact();
    return after.slice(before.length);
  }

  /** The text still held back (e.g. an incomplete character at the very end). */
  flush(): string {
    const tok = this.model.tokenizer;
    const before = tok.decode(this.ids.slice(this.prefix, this.read));
    const after = tok.decode(this.ids.slice(this.prefix));
    this.prefix = this.read = this.ids.length;
    return after.length > before.length ? after.slice(before.length) : '';
  }

  private compact(): void {
    this.ids.splice(0, this.prefix);
    this.read -= this.prefix;
    this.prefix = 0;
  }
}

/**
 * Finds stop strings in streamed text. Text that could be the start of a stop string is held back
 * until the next delta shows whether it is one; a match ends the text before the stop string.
 */
export class StopMatcher {
  private held = '';

  /** Watches for any of `stops` (empty strings are ignored). */
  constructor(private readonly stops: readonly string[]) {
    this.stops = stops.filter((s) => s.length > 0);
  }

  /** Adds a delta; returns the text safe to emit and whether a stop string was found. */
  push(delta: string): { text: string; stopped: boolean } {
    if (!this.stops.length) return { text: delta, stopped: false };
    const buf = this.held + delta;
    let first = -1;
    for (const s of this.stops) {
      const i = buf.indexOf(s);
      if (i >= 0 && (first < 0 || i < first)) first = i;
    }
    if (first >= 0) {
      this.held = '';
      return { text: buf.slice(0, first), stopped: true };
    }
    const keep = this.partialMatchLength(buf);
    this.held = buf.slice(buf.length - keep);
    return { text: buf.slice(0, buf.length - keep), stopped: false };
  }

  /** The held-back text, once no more deltas will come. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }

  /** The length of the longest end of `buf` that begins some stop string. */
  private partialMatchLength(buf: string): number {
    let best = 0;
    for (const s of this.stops) {
      for (let k = Math.min(s.length - 1, buf.length); k > best; k--) {
        if (buf.endsWith(s.slice(0, k))) {
          best = k;
          break;
        }
      }
    }
    return best;
  }
}
