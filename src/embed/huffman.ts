/**
 * The Huffman tree of hierarchical softmax (Mikolov et al. 2013; word2vec.c CreateBinaryTree): frequent
 * words get short codes. Each word's path is a list of inner nodes (`points`, rows of syn1, 0..V-2) and
 * the branch taken at each (`codes`, 0 or 1), from the root down.
 * Input: counts (V), most frequent first. Output: {@link HuffmanCodes}.
 */

/** Every word's Huffman path, packed: word w's nodes are points[offsets[w] .. offsets[w+1]). */
export interface HuffmanCodes {
  /** (V+1) */
  offsets: Int32Array;
  /** Branch bits along each path. (sum of code lengths) */
  codes: Int32Array;
  /** Inner-node ids along each path, root first. (sum of code lengths) */
  points: Int32Array;
}

/**
 * Builds the tree by word2vec.c's two-pointer merge: leaves sorted by descending count are consumed from
 * the right while new inner nodes are appended left to right, so each step joins the two lightest nodes.
 */
export function huffmanCodes(counts: Float64Array): HuffmanCodes {
  const V = counts.length;
  // weights of leaves (0..V-1) then inner nodes (V..2V-2); parent and branch of each node
  const weight = new Float64Array(2 * V);
  const parent = new Int32Array(2 * V);
  const branch = new Int32Array(2 * V);
  weight.set(counts);
  weight.fill(Infinity, V);
  let leaf = V - 1;
  let inner = V;
  const lightest = (): number => {
    if (leaf >= 0 && weight[leaf] < weight[inner]) return leaf--;
    return inner++;
  };
  for (let a = 0; a < V - 1; a++) {
    const min1 = lightest();
    const min2 = lightest();
    weight[V + a] = weight[min1] + weight[min2];
    parent[min1] = V + a;
    parent[min2] = V + a;
    branch[min2] = 1;
  }
  const root = 2 * V - 2;
  const lengths = new Int32Array(V);
  for (let w = 0; w < V; w++) for (let n = w; n !== root; n = parent[n]) lengths[w]++;
  const offsets = new Int32Array(V + 1);
  for (let w = 0; w < V; w++) offsets[w + 1] = offsets[w] + lengths[w];
  const codes = new Int32Array(offsets[V]);
  const points = new Int32Array(offsets[V]);
  for (let w = 0; w < V; w++) {
    // walk leaf to root, filling the path from its end
    let k = offsets[w + 1] - 1;
    for (let n = w; n !== root; n = parent[n], k--) {
      codes[k] = branch[n];
      points[k] = parent[n] - V;
    }
  }
  return { offsets, codes, points };
}
