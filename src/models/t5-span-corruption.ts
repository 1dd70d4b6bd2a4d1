/**
 * T5's span-corruption pretraining data (Raffel et al., 2020, §3.1.4; Hugging Face's
 * `DataCollatorForT5MLM`): a window of the token stream; 15% of its tokens, in spans of mean length 3,
 * are noise. The input keeps the other tokens and puts one sentinel (`<extra_id_0>`, `<extra_id_1>`, …)
 * in place of each noise span, then `</s>`; the target is each sentinel followed by the span it hides,
 * then `</s>`. Spans are placed as T5's random_spans_noise_mask places them: the noise and non-noise
 * token counts each cut into as many random non-empty segments as there are spans, interleaved, starting
 * with non-noise. The window is as long as fits block_size in both the input and the target.
 */
import { LmkitError } from '../errors.js';
import { IntTensor } from '../tensor/tensor.js';
import type { Rng } from '../util/rng.js';

/** The name of sentinel i. */
export function sentinelToken(i: number): string {
  return `<extra_id_${i}>`;
}

/** How much to corrupt. */
export interface SpanCorruption {
  /** Share of tokens that are noise (T5: 0.15). */
  noiseDensity: number;
  /** Mean length of a noise span (T5: 3). */
  meanSpanLength: number;
}

/** The ids the corruption writes. */
export interface SpanCorruptionIds {
  /** Sentinel ids, `<extra_id_0>` first. */
  sentinels: readonly number[];
  eos: number;
  pad: number;
}

/** Noise tokens and spans in a window of `length` tokens (T5's rounding: at least one of each, a token left clean). */
export function noiseCounts(length: number, o: SpanCorruption): { noise: number; spans: number } {
  const noise = Math.min(Math.max(Math.round(length * o.noiseDensity), 1), length - 1);
  return { noise, spans: Math.max(Math.round(noise / o.meanSpanLength), 1) };
}

/** The longest raw window whose corrupted input and target (with `</s>`) both fit `blockSize` tokens. */
export function spanWindowLength(blockSize: number, o: SpanCorruption): { window: number; target: number } {
  for (let n = Math.ceil(blockSize / (1 - o.noiseDensity)) + 2; n >= 2; n--) {
    const { noise, spans } = noiseCounts(n, o);
    const input = n - noise + spans + 1;
    const target = noise + spans + 1;
    if (input <= blockSize && target <= blockSize) return { window: n, target };
  }
  throw new LmkitError(`block_size ${blockSize} is too small for span corruption`, {
    hint: 'use a block_size of at least 8',
  });
}

/** Random lengths (each ≥ 1) of `parts` segments summing to `total`. */
function randomSegmentation(total: number, parts: number, rng: Rng): number[] {
  // parts − 1 distinct cut points among 1..total−1 (a partial Fisher–Yates draw), sorted
  const points = Array.from({ length: total - 1 }, (_, i) => i + 1);
  for (let i = 0; i < parts - 1; i++) {
    const j = i + rng.int(points.length - i);
    [points[i], points[j]] = [points[j], points[i]];
  }
  const cuts = points.slice(0, parts - 1).sort((a, b) => a - b);
  return [...cuts, total].map((c, i) => c - (i ? cuts[i - 1] : 0));
}

/** Whether each of `length` positions is noise (T5's random_spans_noise_mask). */
export function randomSpansNoiseMask(length: number, o: SpanCorruption, rng: Rng): boolean[] {
  const { noise, spans } = noiseCounts(length, o);
  const s = Math.min(spans, noise, length - noise);
  const noiseLengths = randomSegmentation(noise, s, rng);
  const cleanLengths = randomSegmentation(length - noise, s, rng);
  const mask: boolean[] = [];
  for (let i = 0; i < s; i++) {
    for (let k = 0; k < cleanLengths[i]; k++) mask.push(false);
    for (let k = 0; k < noiseLengths[i]; k++) mask.push(true);
  }
  return mask;
}

/** One window's input and target: noise spans replaced by sentinels in the input, spelled out in the target. */
export function corruptSpans(
  tokens: ArrayLike<number>,
  mask: readonly boolean[],
  ids: SpanCorruptionIds,
): { input: number[]; target: number[] } {
  const input: number[] = [];
  const target: number[] = [];
  let span = -1;
  for (let i = 0; i < tokens.length; i++) {
    if (!mask[i]) input.push(tokens[i]);
    else {
      if (i === 0 || !mask[i - 1]) {
        span++;
        if (span >= ids.sentinels.length)
          throw new LmkitError(`span corruption needs more than the ${ids.sentinels.length} sentinels`, {
            hint: 'raise extra_ids or lower block_size',
          });
        input.push(ids.sentinels[span]);
        target.push(ids.sentinels[span]);
      }
      target.push(tokens[i]);
    }
  }
  input.push(ids.eos);
  target.push(ids.eos);
  return { input, target };
}

/**
 * A batch of corrupted windows of a token stream: input ids (B,S) padded with pad, labels (B,T) padded
 * with −100 (the loss ignores them).
 */
export function spanCorruptionBatch(
  stream: Int32Array,
  batchSize: number,
  blockSize: number,
  o: SpanCorruption,
  ids: SpanCorruptionIds,
  rng: Rng,
): { x: IntTensor; y: IntTensor } {
  const { window } = spanWindowLength(blockSize, o);
  if (stream.length < window)
    throw new LmkitError(
      `the text is ${stream.length} tokens, shorter than one span-corruption window of ${window}`,
      { hint: 'give more text or a smaller --block_size' },
    );
  const pairs = Array.from({ length: batchSize }, () => {
    const s = rng.int(stream.length - window + 1);
    const tokens = stream.subarray(s, s + window);
    return corruptSpans(tokens, randomSpansNoiseMask(window, o, rng), ids);
  });
  return padPairs(pairs, ids.pad);
}

/** Input/target pairs as a padded batch: x (B,S) padded with `pad`, y (B,T) padded with −100. */
export function padPairs(
  pairs: readonly { input: readonly number[]; target: readonly number[] }[],
  pad: number,
): { x: IntTensor; y: IntTensor } {
  const B = pairs.length;
  const S = Math.max(...pairs.map((p) => p.input.length));
  const T = Math.max(...pairs.map((p) => p.target.length));
  const x = new Int32Array(B * S).fill(pad);
  const y = new Int32Array(B * T).fill(-100);
  pairs.forEach((p, b) => {
    x.set(p.input, b * S);
    y.set(p.target, b * T);
  });
  return { x: new IntTensor(x, [B, S]), y: new IntTensor(y, [B, T]) };
}
