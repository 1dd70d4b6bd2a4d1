/**
 * Step 2 of Kneser-Ney estimation (KenLM's adjust_counts): replace raw counts of lower orders by
 * continuation counts. a(g) = c(g) at the top order or when g starts with `<s>`; otherwise a(g) is the
 * number of distinct words v with `v g` observed. a(`<s>`) = 0.
 */
import type { NGramCounts } from './corpus-count.js';
import { BOS } from './vocabulary.js';

/** Per order: the suffix row of each n-gram, whether it starts with `<s>`, and its adjusted count. */
export interface AdjustedCounts {
  /** suffix[n][row] = row (order n−1) of w2..wn, for n ≥ 2. */
  suffix: Int32Array[];
  /** startsWithBos[n][row] = 1 when w1 is `<s>`. */
  startsWithBos: Uint8Array[];
  /** adjusted[n][row] = a(g). */
  adjusted: Int32Array[];
}

/** Marks the n-grams that start with `<s>`, then computes the adjusted counts a(g). */
export function adjustCounts(counts: NGramCounts): AdjustedCounts {
  const { order, tables, suffix } = counts;
  const startsWithBos: Uint8Array[] = [new Uint8Array(0), new Uint8Array(counts.vocab.size)];
  startsWithBos[1][BOS] = 1;
  for (let n = 2; n <= order; n++) {
    const t = tables[n];
    const bos = new Uint8Array(t.size);
    const lowerBos = startsWithBos[n - 1];
    for (let r = 0; r < t.size; r++) bos[r] = lowerBos[t.prefix[r]];
    startsWithBos.push(bos);
  }

  const adjusted: Int32Array[] = [new Int32Array(0)];
  for (let n = 1; n <= order; n++) {
    const raw = counts.counts[n];
    if (n === order) {
      adjusted.push(raw); // the top order keeps its raw counts (shared, never modified)
      continue;
    }
    const a = new Int32Array(raw.length);
    const higher = suffix[n + 1];
    for (let r = 0; r < higher.length; r++) a[higher[r]]++;
    const bos = startsWithBos[n];
    for (let r = 0; r < a.length; r++) if (bos[r]) a[r] = raw[r];
    adjusted.push(a);
  }
  adjusted[1][BOS] = 0;
  return { suffix, startsWithBos, adjusted };
}
