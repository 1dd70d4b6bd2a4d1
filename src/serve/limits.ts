/**
 * The bounds a request must respect, with defaults like nanochat's; every one can be changed. (Sampling
 * parameters have their bounds in generate/sampling-params.ts.)
 */

export interface Limits {
  /** Most messages in one chat request. */
  maxMessages: number;
  /** Most characters in one message. */
  maxMessageChars: number;
  /** Most characters in all messages (or a completion prompt) together. */
  maxTotalChars: number;
  /** Highest `max_tokens`. */
  maxTokens: number;
  /** `max_tokens` when the request gives none. */
  defaultMaxTokens: number;
  /** Most stop strings, and longest one. */
  maxStop: number;
  maxStopChars: number;
  /** Most choices (`n`) per request. */
  maxChoices: number;
  /** Largest request body in bytes. */
  maxBodyBytes: number;
}

/** The defaults. */
export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxMessages: 500,
  maxMessageChars: 8000,
  maxTotalChars: 32000,
  maxTokens: 4096,
  defaultMaxTokens: 256,
  maxStop: 100,
  maxStopChars: 256,
  maxChoices: 8,
  maxBodyBytes: 1 << 20,
};
