/**
 * Applying learned merges to one word (Sennrich et al. 2016; GPT-2's `bpe()`): repeatedly join the
 * adjacent pair whose merge was learned earliest (lowest rank), leftmost first on ties, until no
 * adjacent pair has a merge. The word is a linked list of symbols and the candidate pairs sit in a
 * min-heap keyed by (rank, position), so a word of n bytes costs O(n log n), long runs of Chinese or
 * whitespace included.
 */
import { LmkitError } from '../errors.js';

/** Token ids must stay below this bound (2^21), so that a rank or an id packs beside a position. */
export const MAX_TOKEN_ID = 1 << 21;

/**
 * The learned merges: (left id, right id) → (rank, merged id), in an open-addressing hash table on
 * typed arrays (linear probing), so lookups allocate nothing.
 */
export class MergeTable {
  private lefts = new Int32Array(16).fill(-1);
  private rights = new Int32Array(16);
  private merged = new Int32Array(16);
  private ranks = new Int32Array(16);
  private count = 0;

  /** Number of merges. */
  get size(): number {
    return this.count;
  }

  /** Adds the merge of `left` and `right` into `merged`, ranked after every merge so far. */
  add(left: number, right: number, merged: number): void {
    if (Math.max(left, right, merged) >= MAX_TOKEN_ID)
      throw new LmkitError(
        `token id ${Math.max(left, right, merged)} is too large (at most ${MAX_TOKEN_ID - 1})`,
      );
    if (this.find(left, right) >= 0)
      throw new LmkitError(`the merge of tokens ${left} and ${right} appears twice`);
    if (2 * (this.count + 1) > this.lefts.length) this.rehash(2 * this.lefts.length);
    const slot = this.slotOf(left, right);
    this.lefts[slot] = left;
    this.rights[slot] = right;
    this.merged[slot] = merged;
    this.ranks[slot] = this.count++;
  }

  /** The slot of a pair's merge, or -1 when the pair has no merge. */
  find(left: number, right: number): number {
    const slot = this.slotOf(left, right);
    return this.lefts[slot] < 0 ? -1 : slot;
  }

  /** The rank of the merge in `slot` (0 = learned first). */
  rank(slot: number): number {
    return this.ranks[slot];
  }

  /** The token the merge in `slot` makes. */
  result(slot: number): number {
    return this.merged[slot];
  }

  /** The slot holding (left, right), or the empty slot where it would go. */
  private slotOf(left: number, right: number): number {
    const mask = this.lefts.length - 1;
    let slot = (Math.imul(left, 0x9e3779b1) ^ Math.imul(right, 0x85ebca6b)) & mask;
    while (this.lefts[slot] >= 0 && (this.lefts[slot] !== left || this.rights[slot] !== right))
      slot = (slot + 1) & mask;
    return slot;
  }

  private rehash(capacity: number): void {
    const { lefts, rights, merged, ranks } = this;
    this.lefts = new Int32Array(capacity).fill(-1);
    this.rights = new Int32Array(capacity);
    this.merged = new Int32Array(capacity);
    this.ranks = new Int32Array(capacity);
    for (let i = 0; i < lefts.length; i++) {
      if (lefts[i] < 0) continue;
      const slot = this.slotOf(lefts[i], rights[i]);
      this.lefts[slot] = lefts[i];
      this.rights[slot] = rights[i];
      this.merged[slot] = merged[i];
      this.ranks[slot] = ranks[i];
    }
  }
}

const POS_SCALE = 2 ** 32;
// Scratch space shared by every call: the linked list of symbols and the heap of candidate pairs,
// each candidate being rank * 2^32 + position of its left symbol (smallest first).
let heap = new Float64Array(192);
let heapSize = 0;
let next = new Int32Array(64);
let prev = new Int32Array(64);

function grow(n: number): void {
  if (next.length >= n) return;
  const size = Math.max(n, next.length * 2);
  next = new Int32Array(size);
  prev = new Int32Array(size);
  heap = new Float64Array(3 * size);
}

function heapPush(value: number): void {
  let i = heapSize++;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent] <= value) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = value;
}

function heapPop(): number {
  const top = heap[0];
  const last = heap[--heapSize];
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= heapSize) break;
    if (child + 1 < heapSize && heap[child + 1] < heap[child]) child++;
    if (heap[child] >= last) break;
    heap[i] = heap[child];
    i = child;
  }
  heap[i] = last;
  return top;
}

/** Queues the pair (word[left], word[right]) when it has a merge. */
function consider(word: Int32Array | number[], merges: MergeTable, left: number, right: number): void {
  const slot = merges.find(word[left], word[right]);
  if (slot >= 0) heapPush(merges.rank(slot) * POS_SCALE + left);
}

/**
 * Merges the first `n` token ids of `word` by rank, in place; returns the new length. The ids left
 * in `word[0..length)` are the word's tokens.
 */
export function mergeByRank(word: Int32Array | number[], n: number, merges: MergeTable): number {
  if (n < 2) return n;
  grow(n);
  heapSize = 0;
  for (let i = 0; i < n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  for (let i = 0; i + 1 < n; i++) consider(word, merges, i, i + 1);
  while (heapSize > 0) {
    const top = heapPop();
    const rank = Math.floor(top / POS_SCALE);
    const left = top - rank * POS_SCALE;
    const right = next[left];
    if (word[left] < 0 || right >= n) continue;
    const slot = merges.find(word[left], word[right]);
    if (slot < 0 || merges.rank(slot) !== rank) continue; // a stale candidate
    word[left] = merges.result(slot);
    word[right] = -1;
    next[left] = next[right];
    if (next[left] < n) prev[next[left]] = left;
    if (prev[left] >= 0) consider(word, merges, prev[left], left);
    if (next[left] < n) consider(word, merges, left, next[left]);
  }
  let length = 0;
  for (let i = 0; i < n; i++) if (word[i] >= 0) word[length++] = word[i];
  return length;
}
