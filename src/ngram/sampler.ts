/**
 * Sampling the next word of a backoff n-gram model without computing its whole distribution. After a
 * state whose stored contexts are h_L ⊃ … ⊃ h_1 (backoffs b_j), the distribution `BackoffModel.distribution`
 * gives is, for each word w,
 *
 *   p(w) = b_L ⋯ b_{j+1} · p*(h_j w)   for the longest stored context h_j followed by w,
 *   p(w) = b_L ⋯ b_1 · p(w)            (its unigram probability) when no context is followed by w.
 *
 * So a token costs the stored continuations of its contexts: those words are weighed one by one, and the
 * rest share the leftover mass b_L ⋯ b_1 · (Σ unigrams − Σ unigrams of the words already weighed), drawn
 * from the unigram distribution with the words already weighed rejected. Temperature, top-k, top-p and
 * suppressed tokens act as generate/sample.ts's `sampleToken` does on the renormalised distribution
 * (same candidates, same weights; the draw itself uses the random numbers differently). Greedy decoding,
 * top-k and top-p walk the candidates in order of probability: the weighed words sorted, merged with the
 * rest in order of unigram probability. Repetition, presence and frequency penalties, and temperatures
 * below 0.1 (where tempered weights underflow), are left to the full distribution (`sample` returns
 * undefined and the caller goes through `logProbs`).
 */
import type { DrawOptions } from '../lm.js';
import type { Rng } from '../util/rng.js';
import type { BackoffModel, ScoreState } from './backoff-model.js';
import { BOS } from './vocabulary.js';

/** Unigram draws rejected in a row before the leftover is drawn by one pass over the vocabulary. */
const MAX_REJECTIONS = 64;
/** Draws that landed on suppressed tokens before every stored word is weighed instead. */
const MAX_REDRAWS = 16;
/** Contexts whose sums are kept per length (the cache starts over when full). */
const MAX_CACHED_CONTEXTS = 1 << 18;

/** What `descend` keeps per context: see `contextSums`. */
interface ContextSums {
  stored: number;
  below: number;
  closed: boolean;
}
/** Below this temperature the full distribution is used (tempered weights would underflow here). */
export const MIN_FAST_TEMPERATURE = 0.1;

/** The candidates of one draw: weighed words and the leftover, with tempered weights. */
export interface SamplingPlan {
  /** Words weighed one by one (stored after a context), and their tempered weights. */
  ids: Int32Array;
  weights: Float64Array;
  count: number;
  /** Tempered weight of every other word w that may be drawn: `leftoverScale · unigramWeight(w)`. */
  leftoverScale: number;
  /** Total tempered weight of the leftover words (0 when none). */
  leftoverTotal: number;
  /** Whether word w belongs to the leftover (not weighed, not suppressed, not `<s>`). */
  inLeftover(w: number): boolean;
  /** A leftover word's tempered unigram weight (before `leftoverScale`). */
  unigramWeight(w: number): number;
}

/** Tempered unigram weights (u(w) / max u)^(1/T) and their running sums, for one temperature. */
interface Tempered {
  temperature: number;
  weight: Float64Array;
  cumulative: Float64Array;
  total: number;
}

/** Draws next words from a backoff model (one per model: its scratch buffers are reused from draw to draw). */
export class BackoffSampler {
  private readonly unigram: Float64Array;
  private readonly maxUnigram: number;
  /** stamp[w] === epoch: w is weighed, suppressed or `<s>` in the current draw. */
  private readonly stamp: Int32Array;
  private epoch = 0;
  private stamped = new Int32Array(64);
  private stampedCount = 0;
  private ids = new Int32Array(64);
  private probs = new Float64Array(64);
  private weights = new Float64Array(64);
  private tempered?: Tempered;
  private byUnigram?: Int32Array;
  /** Per context length, the sums `descend` needs, for `sumsTemperature`. */
  private sums: Map<number, ContextSums>[] = [];
  /** Per context length, each context's stored words in order of probability (`sortedAfter`). */
  private sorted: Map<number, Int32Array>[] = [];
  private sumsTemperature = NaN;
  /** Scratch of `descend`: total mass per level, cached sums per level, tempered backoff per level. */
  private readonly levelMass: Float64Array;
  private readonly levelSums: Float64Array;
  private readonly levelFactor: Float64Array;
  private readonly scratch: ScoreState;
  private readonly sink: ScoreState;

  constructor(private readonly model: BackoffModel) {
    this.unigram = model.unigramProbabilities();
    let max = 0;
    for (let w = 0; w < this.unigram.length; w++) if (this.unigram[w] > max) max = this.unigram[w];
    this.maxUnigram = max;
    this.stamp = new Int32Array(this.unigram.length);
    this.levelMass = new Float64Array(model.order + 1);
    this.levelSums = new Float64Array(2 * (model.order + 1));
    this.levelFactor = new Float64Array(model.order + 1);
    this.scratch = model.beginSentence();
    this.sink = model.beginSentence();
  }

  /**
   * The next token after `state`, drawn as `sampleToken(logProbs, o, rng, seen)` would draw it; -1 when
   * no token is possible; undefined when these options need the full distribution (see the file's top).
   */
  sample(
    state: ScoreState,
    o: DrawOptions,
    rng: Rng,
    seen?: ReadonlySet<number> | ReadonlyMap<number, number>,
  ): number | undefined {
    const penalised =
      (o.repetitionPenalty ?? 1) !== 1 || (o.presencePenalty ?? 0) !== 0 || (o.frequencyPenalty ?? 0) !== 0;
    if (penalised && seen && seen.size > 0) return undefined;
    const temperature = o.temperature ?? 1;
    if (temperature > 0 && temperature < MIN_FAST_TEMPERATURE) return undefined;
    const topK = o.topK && o.topK < this.unigram.length ? o.topK : 0;
    const topP = o.topP ?? 1;
    const suppress = o.suppressTokens ?? [];
    if (temperature > 0 && topK === 0 && topP >= 1) {
      const w = this.descend(state, temperature, suppress, rng);
      if (w !== undefined) return w;
    }
    const t = temperature === 0 ? 1 : temperature;
    if (temperature === 0 || topK > 0 || topP < 1) {
      const k = temperature === 0 ? 1 : topK;
      const p = temperature === 0 ? 1 : topP;
      const order =
        this.ranked(state, t, suppress, k, p) ?? this.shortlist(this.plan(state, suppress, t), k, p);
      if (!order.length) return -1;
      if (temperature === 0) return order[0].id;
      let total = 0;
      for (const c of order) total += c.weight;
      const target = rng.uniform() * total;
      let acc = 0;
      for (const c of order) {
        acc += c.weight;
        if (acc > target) return c.id;
      }
      return order[order.length - 1].id;
    }
    const plan = this.plan(state, suppress, t);
    let total = plan.leftoverTotal;
    for (let i = 0; i < plan.count; i++) total += plan.weights[i];
    if (!(total > 0)) return -1;
    let target = rng.uniform() * total;
    for (let i = 0; i < plan.count; i++) {
      target -= plan.weights[i];
      if (target < 0) return plan.ids[i];
    }
    return plan.leftoverTotal > 0 ? this.drawLeftover(plan, rng) : lastPositive(plan);
  }

  /**
   * The draw without weighing every stored continuation: the total mass comes from sums cached per
   * context, and the draw walks down from the longest context, weighing only the words of the level it
   * lands on (or drawing a unigram when it lands below them all). Needs each stored context's words to be
   * stored after its shorter contexts too (true of every estimator's models; an ARPA file might break it)
   * and is redrawn when it lands on a suppressed token; undefined when either fails (the caller weighs
   * every word instead).
   */
  private descend(
    state: ScoreState,
    temperature: number,
    suppress: readonly number[],
    rng: Rng,
  ): number | undefined {
    const stored = this.levels(state, temperature);
    if (stored < 0) return undefined;
    const len = state.len;
    const zs = this.levelMass;
    const sums = this.levelSums;
    const factors = this.levelFactor;
    const inv = 1 / temperature;
    const tempered = this.temperedAt(temperature);
    for (let tries = 0; tries < MAX_REDRAWS; tries++) {
      let r = rng.uniform() * zs[len];
      let w = -1;
      for (let j = len; j >= 1 && w < 0; j--) {
        if (state.ctx[j] < 0) {
          r /= factors[j];
          continue;
        }
        // the mass of the words stored after this context but not after the longer one (weighed above)
        const own = sums[2 * j] - (j < stored ? sums[2 * (j + 1) + 1] : 0);
        if (r < own) w = this.pickStored(state, j, j < stored, r, inv);
        else r = (r - own) / factors[j];
      }
      if (w < 0) w = this.drawUnigram(state, stored > 0, tempered, rng);
      if (w >= 0 && !suppress.includes(w)) return w;
    }
    return undefined;
  }

  /**
   * The total tempered mass `descend` draws from after `state` (before suppressed tokens are redrawn),
   * or undefined when it cannot draw there.
   */
  descentTotal(state: ScoreState, temperature: number): number | undefined {
    return this.levels(state, temperature) < 0 ? undefined : this.levelMass[state.len];
  }

  /**
   * Fills `levelMass` (the tempered mass of the whole distribution at each context length),
   * `levelSums` and `levelFactor` for `state`; returns how many context lengths are stored, or -1 when
   * `descend` cannot draw here (a stored context above an unstored one, a context whose words are not
   * all stored after its shorter one, or no mass at all).
   */
  private levels(state: ScoreState, temperature: number): number {
    const inv = 1 / temperature;
    const len = state.len;
    const zs = this.levelMass;
    const sums = this.levelSums;
    const factors = this.levelFactor;
    let stored = 0; // levels 1..stored hold stored contexts
    while (stored < len && state.ctx[stored + 1] >= 0) stored++;
    for (let j = stored + 1; j <= len; j++) if (state.ctx[j] >= 0) return -1;
    zs[0] = Math.pow(this.maxUnigram, inv) * this.temperedAt(temperature).total;
    for (let j = 1; j <= len; j++) {
      const c = state.ctx[j];
      factors[j] = Math.pow(10, (c >= 0 ? state.backoffs[j] : this.model.missingContextBackoff) * inv);
      if (c < 0) {
        zs[j] = factors[j] * zs[j - 1];
        continue;
      }
      const s = this.contextSums(state, j, temperature);
      if (!s.closed) return -1;
      sums[2 * j] = s.stored;
      sums[2 * j + 1] = s.below;
      zs[j] = s.stored + factors[j] * (zs[j - 1] - s.below);
    }
    return zs[len] > 0 ? stored : -1;
  }

  /**
   * The word stored after the context at length j where running weights first pass r, skipping the words
   * stored after the context one longer (`skip`).
   */
  private pickStored(state: ScoreState, j: number, skip: boolean, r: number, inv: number): number {
    const index = this.model.index;
    const epoch = ++this.epoch;
    if (skip) {
      // the longer context's words are usually far fewer: mark them rather than probe for each word here
      const longer = index.storedAfter(state, j + 1);
      for (let k = longer.from; k < longer.to; k++) this.stamp[index.wordAt(longer.at[k])] = epoch;
    }
    const { at, from, to } = index.storedAfter(state, j);
    let last = -1;
    for (let k = from; k < to; k++) {
      const w = index.wordAt(at[k]);
      if (skip && this.stamp[w] === epoch) continue;
      last = w;
      r -= Math.pow(10, index.log10pAt(at[k]) * inv);
      if (r < 0) return w;
    }
    return last; // rounding left r past the last weight
  }

  /** A unigram drawn at the temperature, rejecting words stored after the one-word context (when `skip`). */
  private drawUnigram(state: ScoreState, skip: boolean, t: Tempered, rng: Rng): number {
    const index = this.model.index;
    for (let tries = 0; tries < MAX_REJECTIONS; tries++) {
      const w = upperBound(t.cumulative, rng.uniform() * t.total);
      if (w < t.cumulative.length && !(skip && index.isStoredAfter(state, 1, w))) return w;
    }
    let total = 0;
    for (let w = 0; w < t.weight.length; w++)
      if (!(skip && index.isStoredAfter(state, 1, w))) total += t.weight[w];
    let target = rng.uniform() * total;
    let last = -1;
    for (let w = 0; w < t.weight.length; w++) {
      if (skip && index.isStoredAfter(state, 1, w)) continue;
      if (t.weight[w] > 0) last = w;
      target -= t.weight[w];
      if (target < 0) return w;
    }
    return last;
  }

  /**
   * For the context at length j of `state`, at this temperature: the tempered mass of the words stored
   * after it, the tempered mass the next shorter context gives those same words, and whether they are
   * all stored after that shorter context too. Cached per context (a context's shorter contexts are its
   * suffixes, so the numbers depend on it alone).
   */
  private contextSums(state: ScoreState, j: number, temperature: number): ContextSums {
    if (this.sumsTemperature !== temperature) {
      this.sums = [];
      this.sumsTemperature = temperature;
    }
    const cache = (this.sums[j] ??= new Map());
    const c = state.ctx[j];
    let s = cache.get(c);
    if (s) return s;
    const index = this.model.index;
    const inv = 1 / temperature;
    const { at, from, to } = index.storedAfter(state, j);
    const shorter = this.scratch;
    shorter.copyFrom(state);
    shorter.len = j - 1;
    let storedMass = 0;
    let below = 0;
    let closed = true;
    for (let k = from; k < to; k++) {
      const w = index.wordAt(at[k]);
      storedMass += Math.pow(10, index.log10pAt(at[k]) * inv);
      if (j === 1) {
        below += Math.pow(this.unigram[w], inv);
      } else {
        below += Math.pow(10, index.score(shorter, w, this.sink) * inv);
        if (index.lastMatched !== j) closed = false;
      }
    }
    s = { stored: storedMass, below, closed };
    if (cache.size >= MAX_CACHED_CONTEXTS) cache.clear();
    cache.set(c, s);
    return s;
  }

  /**
   * Weighs the words stored after each context of `state` (longest first; a word takes its longest
   * context's probability) and sizes the leftover, with weights tempered at `temperature` (> 0).
   */
  plan(state: ScoreState, suppress: readonly number[], temperature: number): SamplingPlan {
    const index = this.model.index;
    const epoch = ++this.epoch;
    this.stampedCount = 0;
    this.mark(BOS, epoch);
    for (const t of suppress) if (t >= 0 && t < this.stamp.length) this.mark(t, epoch);
    let count = 0;
    let scale = 1; // b_L ⋯ b_{j+1}
    let maxProb = 0;
    for (let j = state.len; j >= 1; j--) {
      const c = state.ctx[j];
      if (c >= 0) {
        const { at, from, to } = index.storedAfter(state, j);
        if (count + (to - from) > this.ids.length) this.grow(count + (to - from));
        for (let k = from; k < to; k++) {
          const w = index.wordAt(at[k]);
          if (this.stamp[w] === epoch) continue;
          this.mark(w, epoch);
          const p = scale * Math.pow(10, index.log10pAt(at[k]));
          if (!(p > 0)) continue;
          this.ids[count] = w;
          this.probs[count++] = p;
          if (p > maxProb) maxProb = p;
        }
      }
      scale *= Math.pow(10, c >= 0 ? state.backoffs[j] : this.model.missingContextBackoff);
    }
    // Tempered weights relative to the largest possible probability, so that they cannot overflow.
    const reference = Math.max(maxProb, scale * this.maxUnigram);
    const inv = 1 / temperature;
    for (let i = 0; i < count; i++) this.weights[i] = Math.pow(this.probs[i] / reference, inv);
    const tempered = this.temperedAt(temperature);
    // The leftover: every word not weighed, suppressed or <s> (when any such word has a weight at all).
    let excluded = 0;
    let excludedWords = 0;
    for (let i = 0; i < this.stampedCount; i++) {
      const uw = tempered.weight[this.stamped[i]];
      excluded += uw;
      if (uw > 0) excludedWords++;
    }
    const leftoverScale = reference > 0 ? Math.pow((scale * this.maxUnigram) / reference, inv) : 0;
    const leftoverTotal =
      this.positiveCount(tempered) > excludedWords && leftoverScale > 0
        ? leftoverScale * Math.max(0, tempered.total - excluded)
        : 0;
    const stamp = this.stamp;
    return {
      ids: this.ids,
      weights: this.weights,
      count,
      leftoverScale,
      leftoverTotal,
      inLeftover: (w) => stamp[w] !== epoch && tempered.weight[w] > 0,
      unigramWeight: (w) => tempered.weight[w],
    };
  }

  /**
   * The candidates in order of probability (ties: lower id first), as `shortlist` gives them, without
   * weighing every stored word: each context length's words come sorted (cached per context), the
   * shortest's being the unigrams, each without the words of the longer context and tempered with the
   * backoffs above; merging them stops at the k-th word, or where the weight reaches `topP` of the total
   * (from the cached sums). Undefined where `descend` cannot draw (the caller weighs every word).
   */
  ranked(
    state: ScoreState,
    temperature: number,
    suppress: readonly number[],
    topK: number,
    topP: number,
  ): { id: number; weight: number }[] | undefined {
    const stored = this.levels(state, temperature);
    if (stored < 0) return undefined;
    const index = this.model.index;
    const inv = 1 / temperature;
    const len = state.len;
    const cut = topK > 0;
    // streams[j]: the words stored after the context of length j (j = 0: every word, by unigram)
    const lists: Int32Array[] = [];
    const scales = new Float64Array(stored + 1);
    const pos = new Int32Array(stored + 1);
    let scale = 1;
    for (let j = len; j > stored; j--) scale *= this.levelFactor[j];
    for (let j = stored; j >= 0; j--) {
      scales[j] = scale;
      lists[j] = j > 0 ? this.sortedAfter(state, j) : this.unigramOrder();
      if (j > 0) scale *= this.levelFactor[j];
    }
    const tempered = this.temperedAt(temperature);
    const unigramScale = Math.pow(this.maxUnigram, inv);
    const weightAt = (j: number, k: number): number =>
      j > 0
        ? scales[j] * Math.pow(10, index.log10pAt(lists[j][k]) * inv)
        : scales[0] * unigramScale * tempered.weight[lists[0][k]];
    const wordAt = (j: number, k: number): number => (j > 0 ? index.wordAt(lists[j][k]) : lists[0][k]);
    const skip = (j: number, w: number): boolean =>
      suppress.includes(w) || (j < stored && index.isStoredAfter(state, j + 1, w));
    let target = Infinity;
    if (!cut && topP < 1) {
      let total = this.levelMass[len];
      for (const s of new Set(suppress)) {
        if (s < 0 || s >= this.unigram.length || s === BOS) continue;
        this.scratch.copyFrom(state);
        total -= Math.pow(10, index.score(this.scratch, s, this.sink) * inv);
      }
      target = topP * total;
    }
    const out: { id: number; weight: number }[] = [];
    let acc = 0;
    while (!cut || out.length < topK) {
      let best = -1;
      let bestWeight = 0;
      let bestWord = 0;
      for (let j = stored; j >= 0; j--) {
        const list = lists[j];
        while (pos[j] < list.length && skip(j, wordAt(j, pos[j]))) pos[j]++;
        if (pos[j] >= list.length) continue;
        const weight = weightAt(j, pos[j]);
        if (!(weight > 0)) {
          pos[j] = list.length; // sorted: the rest of this list weighs nothing either
          continue;
        }
        const word = wordAt(j, pos[j]);
        if (best < 0 || ranksBefore(weight, word, bestWeight, bestWord)) {
          best = j;
          bestWeight = weight;
          bestWord = word;
        }
      }
      if (best < 0) break;
      pos[best]++;
      out.push({ id: bestWord, weight: bestWeight });
      acc += bestWeight;
      if (acc >= target) break;
    }
    return cut && topP < 1 ? nucleusOfKept(out, topP) : out;
  }

  /** Slot offsets of the words stored after the context of length j, by decreasing p* (ties: lower id); cached. */
  private sortedAfter(state: ScoreState, j: number): Int32Array {
    const cache = (this.sorted[j] ??= new Map());
    const c = state.ctx[j];
    let list = cache.get(c);
    if (!list) {
      const index = this.model.index;
      const { at, from, to } = index.storedAfter(state, j);
      list = at.slice(from, to);
      const lp = (p: number) => index.log10pAt(p);
      list.sort((a, b) => lp(b) - lp(a) || index.wordAt(a) - index.wordAt(b));
      if (cache.size >= MAX_CACHED_CONTEXTS) cache.clear();
      cache.set(c, list);
    }
    return list;
  }

  /**
   * The candidates in order of probability (ties: lower id first) — the weighed words merged with the
   * leftover in unigram order — cut to the first `topK` (0: no cut), then to the shortest prefix whose
   * weight reaches `topP` of the total (of the k kept, with top-k): the tokens `sampleToken` draws among.
   */
  shortlist(plan: SamplingPlan, topK: number, topP: number): { id: number; weight: number }[] {
    const cut = topK > 0;
    const n = plan.count;
    const ids = plan.ids;
    const w = plan.weights;
    const first = (a: number, b: number) => ranksBefore(w[a], ids[a], w[b], ids[b]);
    let idx: number[];
    if (cut) {
      // only the k first can be kept: select them (insertion into a sorted list of k) instead of sorting all
      idx = [];
      for (let i = 0; i < n; i++) {
        if (idx.length === topK && !first(i, idx[topK - 1])) continue;
        let lo = 0;
        let hi = idx.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (first(idx[mid], i)) lo = mid + 1;
          else hi = mid;
        }
        idx.splice(lo, 0, i);
        if (idx.length > topK) idx.pop();
      }
    } else {
      idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => (first(a, b) ? -1 : first(b, a) ? 1 : 0));
    }
    const byUnigram = this.unigramOrder();
    const out: { id: number; weight: number }[] = [];
    let total = plan.leftoverTotal;
    for (let i = 0; i < n; i++) total += w[i];
    const limit = cut ? topK : Infinity;
    const target = topP < 1 && !cut ? topP * total : Infinity;
    let i = 0;
    let u = 0;
    let acc = 0;
    while (out.length < limit) {
      while (u < byUnigram.length && !plan.inLeftover(byUnigram[u])) u++;
      const lw = u < byUnigram.length ? plan.leftoverScale * plan.unigramWeight(byUnigram[u]) : -1;
      const ew = i < idx.length ? w[idx[i]] : -1;
      if (lw <= 0 && ew <= 0) break;
      const takeEntry = lw <= 0 || (ew > 0 && ranksBefore(ew, ids[idx[i]], lw, byUnigram[u]));
      const c = takeEntry ? { id: ids[idx[i++]], weight: ew } : { id: byUnigram[u++], weight: lw };
      out.push(c);
      acc += c.weight;
      if (acc >= target) break;
    }
    return cut && topP < 1 ? nucleusOfKept(out, topP) : out;
  }

  /** A leftover word, drawn from the tempered unigrams with weighed and suppressed words rejected. */
  private drawLeftover(plan: SamplingPlan, rng: Rng): number {
    const t = this.tempered as Tempered;
    for (let tries = 0; tries < MAX_REJECTIONS; tries++) {
      const w = upperBound(t.cumulative, rng.uniform() * t.total);
      if (w < t.cumulative.length && plan.inLeftover(w)) return w;
    }
    // Nearly all the unigram mass is weighed already: one pass over the rest instead.
    const remaining = plan.leftoverTotal / plan.leftoverScale;
    let target = rng.uniform() * remaining;
    let last = -1;
    for (let w = 0; w < t.weight.length; w++) {
      if (!plan.inLeftover(w)) continue;
      last = w;
      target -= t.weight[w];
      if (target < 0) return w;
    }
    return last;
  }

  private temperedAt(temperature: number): Tempered {
    if (this.tempered?.temperature !== temperature) {
      const v = this.unigram.length;
      const weight = new Float64Array(v);
      const cumulative = new Float64Array(v);
      let total = 0;
      for (let w = 0; w < v; w++) {
        weight[w] = this.maxUnigram > 0 ? Math.pow(this.unigram[w] / this.maxUnigram, 1 / temperature) : 0;
        total += weight[w];
        cumulative[w] = total;
      }
      this.tempered = { temperature, weight, cumulative, total };
      this.positives = -1;
    }
    return this.tempered;
  }

  private positives = -1;

  /** Number of words whose tempered unigram weight is positive. */
  private positiveCount(t: Tempered): number {
    if (this.positives < 0) {
      let n = 0;
      for (let w = 0; w < t.weight.length; w++) if (t.weight[w] > 0) n++;
      this.positives = n;
    }
    return this.positives;
  }

  /** Word ids by decreasing unigram probability (ties: lower id first), computed once. */
  private unigramOrder(): Int32Array {
    if (!this.byUnigram) {
      const u = this.unigram;
      this.byUnigram = Int32Array.from({ length: u.length }, (_, i) => i).sort(
        (a, b) => u[b] - u[a] || a - b,
      );
    }
    return this.byUnigram;
  }

  private mark(w: number, epoch: number): void {
    if (this.stamp[w] === epoch) return;
    this.stamp[w] = epoch;
    if (this.stampedCount === this.stamped.length) {
      const bigger = new Int32Array(this.stamped.length * 2);
      bigger.set(this.stamped);
      this.stamped = bigger;
    }
    this.stamped[this.stampedCount++] = w;
  }

  private grow(n: number): void {
    const size = Math.max(n, this.ids.length * 2);
    const ids = new Int32Array(size);
    ids.set(this.ids);
    const probs = new Float64Array(size);
    probs.set(this.probs);
    this.ids = ids;
    this.probs = probs;
    this.weights = new Float64Array(size);
  }
}

/**
 * Whether a candidate of weight wa and id a comes before one of weight wb and id b: higher weight first,
 * then lower id. Weights within a relative 1e-12 count as equal: a probability reached through different
 * backoff levels (or summed in another order) can differ in its last bits from the full computation's.
 */
export function ranksBefore(wa: number, a: number, wb: number, b: number): boolean {
  const tie = Math.abs(wa - wb) <= TIE * Math.max(wa, wb);
  return tie ? a < b : wa > wb;
}

/** Relative difference under which two weights tie. */
const TIE = 1e-12;

/** The first index whose running sum exceeds x (the length when none). */
function upperBound(cumulative: Float64Array, x: number): number {
  let lo = 0;
  let hi = cumulative.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The last weighed word with a positive weight (rounding left the draw past every weight). */
function lastPositive(plan: SamplingPlan): number {
  for (let i = plan.count - 1; i >= 0; i--) if (plan.weights[i] > 0) return plan.ids[i];
  return -1;
}

/** Top-p after top-k: the shortest prefix of the k kept candidates whose weight reaches `topP` of theirs. */
function nucleusOfKept(
  out: { id: number; weight: number }[],
  topP: number,
): { id: number; weight: number }[] {
  let kept = 0;
  for (const c of out) kept += c.weight;
  let sum = 0;
  for (let k = 0; k < out.length; k++) {
    sum += out[k].weight;
    if (sum >= topP * kept) return out.slice(0, k + 1);
  }
  return out;
}
