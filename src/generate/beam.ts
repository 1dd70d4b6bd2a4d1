/**
 * Beam search over any `LanguageModel` (Hugging Face's `num_beams`, `length_penalty`): the `numBeams`
 * best partial sequences by total log-probability are kept; each step extends every one by every token
 * and keeps the best `numBeams` that do not end, while those ending in end of sequence are set aside
 * scored by sum ln p / length^lengthPenalty (length counting the end token). It stops when `numBeams`
 * ended sequences are set aside and no live one can still beat the worst of them (the exact bound: later
 * tokens only lower a sum; the best length a penalty can favour is taken), or at `maxTokens` (live beams
 * then end as they are). States are forked (`DecoderState.fork`) when the model can; else each
 * hypothesis replays its tokens on a fresh `start`.
 */
import { LmkitError } from '../errors.js';
import type { DecoderState, LanguageModel } from '../lm.js';

/** How to search. */
export interface BeamOptions {
  /** Beams kept (1: greedy). */
  numBeams: number;
  /** Exponent of the length dividing a finished sequence's log-probability (default 1; > 0 favours longer). */
  lengthPenalty?: number;
  /** Most tokens generated (default 256). */
  maxTokens?: number;
  /** Tokens never generated (the unknown-word token). */
  suppressTokens?: readonly number[];
}

/** A finished hypothesis. */
export interface BeamResult {
  tokens: number[];
  /** Sum of ln p of its tokens (its end token included when it ended). */
  logProb: number;
  /** logProb / length^lengthPenalty: what ranks it. */
  score: number;
  finishReason: 'stop' | 'length';
}

interface Beam {
  tokens: number[];
  logProb: number;
  state: DecoderState;
}

/** The best sequences after `prompt`, best first (at most numBeams). */
export function beamSearch(model: LanguageModel, prompt: readonly number[], o: BeamOptions): BeamResult[] {
  if (!Number.isInteger(o.numBeams) || o.numBeams < 1)
    throw new LmkitError(`num_beams must be a whole number ≥ 1 (got ${o.numBeams})`);
  const penalty = o.lengthPenalty ?? 1;
  if (!Number.isFinite(penalty)) throw new LmkitError(`length_penalty must be a number (got ${penalty})`);
  const maxTokens = o.maxTokens ?? 256;
  const eos = model.tokenizer.special.eos;
  const suppressed = new Set(o.suppressTokens ?? []);
  const score = (logProb: number, length: number) => logProb / Math.max(1, length) ** penalty;
  const done: BeamResult[] = [];
  const fork = (b: Beam, token: number): DecoderState => {
    const s = b.state.fork ? b.state.fork() : replay(model, prompt, b.tokens);
    s.push(token);
    return s;
  };
  let beams: Beam[] = [{ tokens: [], logProb: 0, state: model.start([...prompt]) }];
  for (let step = 0; step < maxTokens && beams.length; step++) {
    const candidates: { beam: Beam; token: number; logProb: number }[] = [];
    for (const beam of beams) {
      const lp = beam.state.logProbs();
      for (let t = 0; t < lp.length; t++)
        if (lp[t] > -Infinity && !suppressed.has(t))
          candidates.push({ beam, token: t, logProb: beam.logProb + lp[t] });
    }
    candidates.sort((a, b) => b.logProb - a.logProb || a.token - b.token);
    const next: Beam[] = [];
    for (const c of candidates) {
      if (c.token === eos) {
        // an ended sequence counts only while it is among the best numBeams candidates (as Hugging Face's)
        if (next.length < o.numBeams)
          done.push({
            tokens: [...c.beam.tokens],
            logProb: c.logProb,
            score: score(c.logProb, c.beam.tokens.length + 1),
            finishReason: 'stop',
          });
        continue;
      }
      if (next.length >= o.numBeams) continue;
      next.push({
        tokens: [...c.beam.tokens, c.token],
        logProb: c.logProb,
        state: step + 1 < maxTokens ? fork(c.beam, c.token) : c.beam.state,
      });
    }
    beams = next;
    done.sort((a, b) => b.score - a.score);
    if (done.length >= o.numBeams && beams.length) {
      const worst = done[o.numBeams - 1].score;
      const best = Math.max(...beams.map((b) => bound(b.logProb, b.tokens.length, maxTokens, penalty)));
      if (best <= worst) beams = [];
    }
  }
  for (const b of beams)
    done.push({
      tokens: b.tokens,
      logProb: b.logProb,
      score: score(b.logProb, b.tokens.length),
      finishReason: 'length',
    });
  return done.sort((a, b) => b.score - a.score).slice(0, o.numBeams);
}

/** The best score a live beam (sum `logProb` over `length` tokens) can still reach ending within maxTokens. */
function bound(logProb: number, length: number, maxTokens: number, penalty: number): number {
  // the sum only falls; a negative sum divided by length^p is highest at the longest length when p > 0
  const best = penalty > 0 ? maxTokens : length + 1;
  return logProb / Math.max(1, best) ** penalty;
}

/** A fresh state after `prompt` and `tokens` (for a state that cannot fork). */
function replay(model: LanguageModel, prompt: readonly number[], tokens: readonly number[]): DecoderState {
  const s = model.start([...prompt]);
  for (const t of tokens) s.push(t);
  return s;
}
