/**
 * The two frequency tables of word2vec training, as gensim builds them:
 * - the noise distribution of negative sampling, P(w) ∝ count(w)^0.75, as cumulative integer weights
 *   searched by bisection (gensim's cum_table; word2vec.c fills a 10^8-entry table instead);
 * - frequent-word subsampling (Mikolov et al. 2013): a word of frequency f is kept with probability
 *   (sqrt(f/t) + 1) · t/f, t = sample (word2vec.c's formula), as a 32-bit threshold on a random draw.
 */

/** Largest cumulative weight: draws are taken modulo the last entry (gensim's domain, 2^31 − 1). */
const CUM_DOMAIN = 2 ** 31 - 1;

/** Cumulative count^exponent scaled to integers below 2^31 (V); word w is drawn when cum[w-1] <= r < cum[w]. */
export function noiseTable(counts: Float64Array, exponent = 0.75): Uint32Array {
  const V = counts.length;
  let total = 0;
  for (let i = 0; i < V; i++) total += counts[i] ** exponent;
  const cum = new Uint32Array(V);
  let acc = 0;
  for (let i = 0; i < V; i++) {
    acc += counts[i] ** exponent;
    cum[i] = Math.round((acc / total) * CUM_DOMAIN);
  }
  return cum;
}

/** The word whose cumulative interval holds r (0 <= r < cum[V-1]): the first w with cum[w] > r. */
export function drawNoise(cum: Uint32Array, r: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid] > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Keep thresholds (V): a word is kept when a uniform 32-bit draw is below its threshold; 2^32 − 1 means
 * always kept. `sample` 0 turns subsampling off.
 */
export function keepThresholds(counts: Float64Array, sample: number): Uint32Array {
  const V = counts.length;
  const out = new Uint32Array(V).fill(0xffffffff);
  if (sample <= 0) return out;
  let total = 0;
  for (let i = 0; i < V; i++) total += counts[i];
  const threshold = sample * total;
  for (let i = 0; i < V; i++) {
    const p = (Math.sqrt(counts[i] / threshold) + 1) * (threshold / counts[i]);
    if (p < 1) out[i] = Math.round(p * 2 ** 32);
  }
  return out;
}
