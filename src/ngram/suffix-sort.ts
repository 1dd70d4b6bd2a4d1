/**
 * Suffix order of n-gram records, the order lmplz's adjust_counts reads: compare the last words first,
 * then the words before them (w_N, then w_{N−1}, …, then w_1). In this order all n-grams sharing a
 * suffix lie together, so one pass finds every lower-order n-gram and its continuation count.
 *
 * A record is N word ids (keys[i·stride … i·stride+N)); records are sorted by least-significant-digit radix sort
 * (one stable counting sort per word position, w_1 first), O(N · (records + vocabulary)).
 */

/**
 * Sorts the record numbers `rows` in place into suffix order of `keys` (record i's N ids, all < vocabSize,
 * start at i · stride).
 * `scratch` and `digit` must have rows.length room; `buckets` vocabSize + 1.
 */
export function sortSuffixOrder(
  keys: Int32Array,
  order: number,
  rows: Int32Array,
  vocabSize: number,
  stride = order,
  scratch: Int32Array = new Int32Array(rows.length),
  buckets: Int32Array = new Int32Array(vocabSize + 1),
  digit: Int32Array = new Int32Array(rows.length),
): void {
  const m = rows.length;
  let from = rows;
  let to = scratch;
  for (let p = 0; p < order; p++) {
    // The digit of each record is read once (a cache miss: records are visited in permuted order) and
    // kept in `digit` for the histogram and the scatter.
    buckets.fill(0);
    for (let i = 0; i < m; i++) {
      const d = keys[from[i] * stride + p];
      digit[i] = d;
      buckets[d + 1]++;
    }
    for (let v = 1; v <= vocabSize; v++) buckets[v] += buckets[v - 1];
    for (let i = 0; i < m; i++) to[buckets[digit[i]]++] = from[i];
    const t = from;
    from = to;
    to = t;
  }
  if (from !== rows) rows.set(from);
}

/** Compares record a of `ka` with record b of `kb` in suffix order: negative, 0 or positive. */
export function compareSuffix(ka: Int32Array, a: number, kb: Int32Array, b: number, order: number): number {
  for (let p = order - 1; p >= 0; p--) {
    const d = ka[a + p] - kb[b + p];
    if (d !== 0) return d;
  }
  return 0;
}
