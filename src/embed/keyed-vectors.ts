/**
 * Word vectors with their words, and the queries people ask of them (gensim's KeyedVectors): a word's
 * vector, cosine similarity, nearest neighbours, and analogies by 3CosAdd (Mikolov et al. 2013: the words
 * nearest to king − man + woman, the query words excluded).
 */
import { LmkitError } from '../errors.js';

/** One neighbour: a word and its cosine similarity to the query. */
export interface Neighbour {
  word: string;
  similarity: number;
}

/** Words and their vectors (V,D), looked up by word. */
export class KeyedVectors {
  private readonly index = new Map<string, number>();
  private unit: Float32Array | undefined;

  /** Wraps `vectors` (V,D, row i the vector of words[i]); a word listed twice is an error. */
  constructor(
    readonly words: readonly string[],
    readonly vectors: Float32Array,
    readonly dim: number,
  ) {
    if (vectors.length !== words.length * dim)
      throw new LmkitError(
        `${words.length} words of dimension ${dim} need ${words.length * dim} numbers, got ${vectors.length}`,
      );
    words.forEach((w, i) => {
      if (this.index.has(w)) throw new LmkitError(`the word ${JSON.stringify(w)} has two vectors`);
      this.index.set(w, i);
    });
  }

  /** Number of words. */
  get size(): number {
    return this.words.length;
  }

  /** The row of `word`, or undefined when it has no vector. */
  indexOf(word: string): number | undefined {
    return this.index.get(word);
  }

  /** The row of `word`; an unknown word is an error that names it. */
  require(word: string): number {
    const i = this.index.get(word);
    if (i === undefined)
      throw new LmkitError(`the word ${JSON.stringify(word)} is not in the vocabulary (${this.size} words)`, {
        hint: 'words below --min-count get no vector; check its case and spelling',
      });
    return i;
  }

  /** The vector of `word` (a view into the table). */
  vector(word: string): Float32Array {
    const i = this.require(word);
    return this.vectors.subarray(i * this.dim, (i + 1) * this.dim);
  }

  /** Every vector scaled to unit length (computed once). (V,D) */
  unitVectors(): Float32Array {
    if (this.unit) return this.unit;
    const D = this.dim;
    const u = new Float32Array(this.vectors.length);
    for (let i = 0; i < this.size; i++) {
      let n = 0;
      for (let d = 0; d < D; d++) n += this.vectors[i * D + d] ** 2;
      const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
      for (let d = 0; d < D; d++) u[i * D + d] = this.vectors[i * D + d] * inv;
    }
    return (this.unit = u);
  }

  /** Cosine similarity of two words. */
  similarity(a: string, b: string): number {
    const u = this.unitVectors();
    const D = this.dim;
    const i = this.require(a) * D;
    const j = this.require(b) * D;
    let s = 0;
    for (let d = 0; d < D; d++) s += u[i + d] * u[j + d];
    return s;
  }

  /**
   * The `top` words nearest by cosine to the mean of the unit vectors of `positive` minus those of
   * `negative` (gensim's most_similar), the query words themselves left out.
   */
  mostSimilar(positive: readonly string[], negative: readonly string[] = [], top = 10): Neighbour[] {
    if (!positive.length && !negative.length) throw new LmkitError('give at least one word');
    if (top < 1) return [];
    const u = this.unitVectors();
    const D = this.dim;
    const q = new Float64Array(D);
    const exclude = new Set<number>();
    for (const [words, sign] of [
      [positive, 1],
      [negative, -1],
    ] as const) {
      for (const w of words) {
        const i = this.require(w);
        exclude.add(i);
        for (let d = 0; d < D; d++) q[d] += sign * u[i * D + d];
      }
    }
    let n = 0;
    for (let d = 0; d < D; d++) n += q[d] * q[d];
    const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
    const best: Neighbour[] = [];
    for (let i = 0; i < this.size; i++) {
      if (exclude.has(i)) continue;
      let s = 0;
      for (let d = 0; d < D; d++) s += q[d] * u[i * D + d];
      s *= inv;
      if (best.length === top) {
        if (s <= best[top - 1].similarity) continue;
        best.pop();
      }
      let k = best.length;
      while (k > 0 && best[k - 1].similarity < s) k--;
      best.splice(k, 0, { word: this.words[i], similarity: s });
    }
    return best;
  }

  /** a : b :: c : ?, the words nearest to b − a + c (3CosAdd), e.g. man : king :: woman : queen. */
  analogy(a: string, b: string, c: string, top = 10): Neighbour[] {
    for (const w of [a, b, c]) this.require(w); // the first unknown word, in the order given
    return this.mostSimilar([b, c], [a], top);
  }
}
