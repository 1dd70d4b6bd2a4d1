/**
 * The sampling parameters, defined once: each one's `SamplingOptions` key, its name on the wire (the
 * OpenAI / llama.cpp server name, also used by the REPL's `/set` and in stored history), its CLI flag and
 * its bounds. The HTTP server, the terminal chat and every generating command check values against this
 * table and carry them in one `SamplingOptions` to the sampler (as llama.cpp's server task carries one
 * sampling struct).
 */
import type { SamplingOptions } from './sample.js';

/** One sampling parameter and its bounds. */
export interface SamplingParam {
  key:
    | 'temperature'
    | 'topP'
    | 'topK'
    | 'repetitionPenalty'
    | 'presencePenalty'
    | 'frequencyPenalty'
    | 'seed'
    | 'maxTokens'
    | 'minTokens';
  /** The name in HTTP bodies, `/set` and stored params. */
  name: string;
  /** The command-line flag (`--top-p`). */
  flag: string;
  integer: boolean;
  min: number;
  max: number;
  /** `min` itself is not allowed (top_p and repetition_penalty must be above 0). */
  openMin?: boolean;
  description: string;
}

/** Every sampling parameter, in the order help lists them. */
export const SAMPLING_PARAMS: readonly SamplingParam[] = [
  {
    key: 'temperature',
    name: 'temperature',
    flag: 'temperature',
    integer: false,
    min: 0,
    max: 2,
    description: 'sharpen (< 1) or flatten (> 1) the distribution; 0 is greedy',
  },
  {
    key: 'topK',
    name: 'top_k',
    flag: 'top-k',
    integer: true,
    min: 0,
    max: 200,
    description: 'sample only from the k most likely tokens (0: all)',
  },
  {
    key: 'topP',
    name: 'top_p',
    flag: 'top-p',
    integer: false,
    min: 0,
    max: 1,
    openMin: true,
    description: 'nucleus sampling: the smallest set of tokens reaching probability p',
  },
  {
    key: 'repetitionPenalty',
    name: 'repetition_penalty',
    flag: 'repetition-penalty',
    integer: false,
    min: 0,
    max: 10,
    openMin: true,
    description: 'discourage tokens already generated (> 1), as in CTRL; 1 is off',
  },
  {
    key: 'presencePenalty',
    name: 'presence_penalty',
    flag: 'presence-penalty',
    integer: false,
    min: -2,
    max: 2,
    description: "subtract this from every generated token's logit (OpenAI's presence penalty)",
  },
  {
    key: 'frequencyPenalty',
    name: 'frequency_penalty',
    flag: 'frequency-penalty',
    integer: false,
    min: -2,
    max: 2,
    description: "subtract this times its count from a generated token's logit (OpenAI's frequency penalty)",
  },
  {
    key: 'seed',
    name: 'seed',
    flag: 'seed',
    integer: true,
    min: Number.MIN_SAFE_INTEGER,
    max: Number.MAX_SAFE_INTEGER,
    description: 'random seed, for reproducible samples',
  },
  {
    key: 'maxTokens',
    name: 'max_tokens',
    flag: 'max-tokens',
    integer: true,
    min: 1,
    max: 1_000_000,
    description: 'the most tokens to generate',
  },
  {
    key: 'minTokens',
    name: 'min_tokens',
    flag: 'min-tokens',
    integer: true,
    min: 0,
    max: 1_000_000,
    description: 'hold off the end of the text until this many tokens',
  },
];

/** The parameter of this wire name (`top_p`), or undefined. */
export function samplingParam(name: string): SamplingParam | undefined {
  return SAMPLING_PARAMS.find((p) => p.name === name);
}

/** The parameter of this options key (`topP`). */
export function samplingParamOf(key: SamplingParam['key']): SamplingParam {
  return SAMPLING_PARAMS.find((p) => p.key === key) as SamplingParam;
}

/** Null when `v` is an allowed value of `p` (below `max` when given), else what it must be. */
export function samplingBoundsError(p: SamplingParam, v: unknown, max = p.max): string | null {
  const range = `${p.openMin ? '(' : '['}${p.min}, ${max}]`;
  if (typeof v !== 'number' || !Number.isFinite(v)) return `${p.name} must be a number in ${range}`;
  if (p.integer && !Number.isInteger(v)) return `${p.name} must be a whole number in ${range}`;
  if ((p.openMin ? v <= p.min : v < p.min) || v > max) return `${p.name} must be in ${range} (got ${v})`;
  return null;
}

/** The options as wire names and values (what history stores with a reply), absent ones left out. */
export function wireParams(o: SamplingOptions): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of SAMPLING_PARAMS) {
    const v = o[p.key];
    if (v !== undefined) out[p.name] = v;
  }
  return out;
}
