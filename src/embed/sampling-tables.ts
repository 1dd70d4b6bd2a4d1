/**
 * The two frequency tables of word2vec training:
 * - the noise distribution of negative sampling, P(w) ∝ count(w)^0.75, as an alias table;
 * - frequent-word subsampling (Mikolov et al. 2013): a word of frequency f is kept with probability
 *   (sqrt(f/t) + 1) · t/f, t = sample (word2vec.c's formula), as a 32-bit threshold on a random draw.
 */

/**
 * Walker's alias table of P(w) ∝ count(w)^exponent (Vose's construction), packed as 2V uint32s: the
 * first V are acceptance thresholds on a 32-bit draw (2^32 − 1: always accept), the next V the alias of
 * each column. A draw costs two random numbers and no search, where gensim bisects a cumulative table
 * and word2vec.c reads a 10^8-entry table; the distribution is the same.
 */
export function noiseTable(counts: Float64Array, exponent = 0.75): Uint32Array {
  const V = counts.length;
  let total = 0;
  for (let i = 0; i < V; i++) total += counts[i] ** exponent;
  const scaled = Float64Array.from(counts, (c) => (c ** exponent / total) * V);
  const table = new Uint32Array(2 * V);
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < V; i++) (scaled[i] < 1 ? small : large).push(i);
  while (small.length && large.length) {
    const s = small.pop() as number;
    const l = large[large.length - 1];
    table[s] = Math.min(0xfffffffe, Math.round(scaled[s] * 2 ** 32));
    table[V + s] = l;
    scaled[l] -= 1 - scaled[s];
    if (scaled[l] < 1) small.push(large.pop() as number);
  }
  for (const i of [...small, ...large]) {
    table[i] = 0xffffffff; // what is left is 1 up to rounding
    table[V + i] = i;
  }
  return table;
}

/** A noise word from the alias table for two uniform 32-bit draws: the column r1 mod V, or its alias. */
export function drawNoise(table: Uint32Array, r1: number, r2: number): number {
  const V = table.length >>> 1;
  const k = r1 % V;
  const t = table[k];
  return t === 0xffffffff || r2 < t ? k : table[V + k];
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
